// The web pages' entry: who is logged in, the header, and which page an
// /app/ address shows. Every page calls only the public JSON API.
import './app.css';
import { render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onSessionEnded, type Me } from './api.ts';
import { Account } from './pages/account.tsx';
import { AdminGate } from './pages/admin-gate.tsx';
import { Confirm } from './pages/confirm.tsx';
import { EmailChange } from './pages/email.tsx';
import { Feed } from './pages/feed.tsx';
import { LogIn } from './pages/login.tsx';
import { Forgot, Reset } from './pages/password-reset.tsx';
import { PostPage } from './pages/post.tsx';
import { SignUp } from './pages/signup.tsx';
import { UserPage, Users } from './pages/users.tsx';
import { keepLinksInApp, navigate, type Place, to, usePlace } from './router.ts';
import { fetchMe, Session, useSession } from './session.ts';
import { SITE, useTitle } from './ui.tsx';

const routes: [RegExp, (match: string[], place: Place) => ComponentChildren][] = [
  [/^\/app\/?$/, () => <Feed />],
  [/^\/app\/posts\/([^/]+)$/, ([, id]) => <PostPage id={id!} />],
  [/^\/app\/users$/, () => <Users />],
  [/^\/app\/u\/([^/]+)$/, ([, name]) => <UserPage username={decodeURIComponent(name!)} />],
  [/^\/app\/signup$/, () => <SignUp />],
  [/^\/app\/confirm$/, () => <Confirm />],
  [/^\/app\/login$/, () => <LogIn />],
  [/^\/app\/forgot$/, () => <Forgot />],
  [/^\/app\/reset$/, () => <Reset />],
  [/^\/app\/account$/, () => <Account />],
  [/^\/app\/email$/, () => <EmailChange />],
  // Every address under /app/admin: the gate loads the admin chunk, which routes among its pages.
  [/^\/app\/admin(\/.*)?$/, (_, place) => <AdminGate place={place} />],
];

function NotFound() {
  useTitle('Page not found');
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page here. <a href={to.feed}>See the posts</a>
      </p>
    </>
  );
}

function Header() {
  const { me, setMe } = useSession();
  const logOut = async () => {
    await api('POST', '/api/logout').catch(() => undefined);
    setMe(null);
    navigate(to.login);
  };
  return (
    <header>
      <a class="skip" href="#main">
        Skip to the content
      </a>
      <nav aria-label="Main">
        <a href={to.feed} class="brand">
          {SITE}
        </a>
        <a href={to.feed}>Posts</a>
        <a href={to.users}>Users</a>
        <span class="spacer" />
        {me ? (
          <>
            <a href={to.account}>My account ({me.user.username})</a>
            <button type="button" onClick={() => void logOut()}>
              Log out
            </button>
          </>
        ) : (
          me === null && (
            <>
              <a href={to.login}>Log in</a>
              <a href={to.signup}>Sign up</a>
            </>
          )
        )}
      </nav>
    </header>
  );
}

function App() {
  const place = usePlace();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    onSessionEnded(() => setMe(null));
    fetchMe().then(setMe, () => setMe(null));
  }, []);
  // After an in-app navigation, focus the new page's heading so screen readers announce it.
  const [first, setFirst] = useState(true);
  useEffect(() => {
    if (first) return setFirst(false);
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [place.path]);
  const route = routes.find(([pattern]) => pattern.test(place.path));
  return (
    <Session.Provider value={{ me, setMe }}>
      <Header />
      <main id="main" tabIndex={-1}>
        {route ? route[1](route[0].exec(place.path)!, place) : <NotFound />}
      </main>
    </Session.Provider>
  );
}

keepLinksInApp();
render(<App />, document.getElementById('app')!);
