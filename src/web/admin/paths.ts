// The admin pages' addresses, built in one place (router.ts's `to` holds the others).
export const adminTo = {
  users: '/app/admin/',
  user: (id: number) => `/app/admin/users/${id}`,
  keys: '/app/admin/keys',
};
