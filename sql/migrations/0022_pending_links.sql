-- The links to another provider under way, by account (src/auth/providers/README.md):
-- a password reset or change, an e-mail change and a second factor's removal delete
-- the account's (src/auth/codes/retired.ts), and the account's deletion cascades to them.
CREATE INDEX federated_sign_ins_link_user_idx ON federated_sign_ins (link_user_id) WHERE link_user_id IS NOT NULL;
