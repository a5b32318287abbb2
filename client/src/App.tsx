/**
 * The page: certificate login, then the tenders the role can see, then that tender's page for the role
 * (bidder hall, host console, supervisor view, custodian page). The chosen tender is kept in the address
 * (#/tender/<id>) so the back button works; the login is kept in memory only.
 */

import { can } from '@bidhall/shared';
import { type ReactNode, useEffect, useState } from 'react';
import { ExpertRoom } from './evaluation/ExpertRoom.tsx';
import { HostCommittee } from './evaluation/HostCommittee.tsx';
import { SupervisorCommittee } from './evaluation/SupervisorCommittee.tsx';
import { TendereeCommittee } from './evaluation/TendereeCommittee.tsx';
import { useI18n } from './i18n.tsx';
import { BidderHall } from './pages/BidderHall.tsx';
import { CustodianPage } from './pages/CustodianPage.tsx';
import { ExpertHistory } from './pages/ExpertHistory.tsx';
import { ExpertHome } from './pages/ExpertHome.tsx';
import { HostConsole } from './pages/HostConsole.tsx';
import { Login } from './pages/Login.tsx';
import { Playback, SupervisorWall } from './pages/SupervisorMedia.tsx';
import { SupervisorView } from './pages/SupervisorView.tsx';
import { TendereePage } from './pages/TendereePage.tsx';
import { TenderList } from './pages/TenderList.tsx';
import { renewSession, type Session } from './session.ts';

function tenderFromHash(): string | null {
  const match = /^#\/tender\/([0-9a-f-]{36})$/.exec(window.location.hash);
  return match ? match[1]! : null;
}

/** A committee's page (#/committee/<id>): the expert room, or the host's, tenderee's or supervisor's view. */
function committeeFromHash(): string | null {
  const match = /^#\/committee\/([0-9a-f-]{36})$/.exec(window.location.hash);
  return match ? match[1]! : null;
}

/** The supervisor's media pages live at #/wall and #/playback; the experts' record at #/experts. */
type MediaPage = 'wall' | 'playback' | 'experts' | null;
function mediaPageFromHash(): MediaPage {
  const hash = window.location.hash;
  return hash === '#/wall'
    ? 'wall'
    : hash === '#/playback'
      ? 'playback'
      : hash === '#/experts'
        ? 'experts'
        : null;
}

export function App() {
  const { t, language, setLanguage } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [tenderId, setTenderId] = useState<string | null>(tenderFromHash);
  const [mediaPage, setMediaPage] = useState<MediaPage>(mediaPageFromHash);
  const [committeeId, setCommitteeId] = useState<string | null>(committeeFromHash);

  useEffect(() => {
    const onHash = () => {
      setTenderId(tenderFromHash());
      setMediaPage(mediaPageFromHash());
      setCommitteeId(committeeFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // The login token is renewed before it expires, so a long opening or a day of evaluation goes on
  // without asking for the certificate again (the server ends renewals some hours after the login).
  useEffect(() => {
    if (!session) return;
    const lifetime = Date.parse(session.expiresAt) - Date.now();
    const timer = setTimeout(
      () =>
        void renewSession(session).then(setSession, () => {
          // Refused (the session is too old): the next request says so and the page asks to log in.
        }),
      Math.max(5_000, lifetime * 0.8),
    );
    return () => clearTimeout(timer);
  }, [session]);
  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    document.title = t('appName');
  }, [language, t]);

  const open = (id: string | null) => {
    window.location.hash = id ? `#/tender/${id}` : '#/';
    setTenderId(id);
  };

  let page: ReactNode;
  const committeeProps = committeeId
    ? { session: session!, committeeId, onBack: () => window.history.back() }
    : null;
  if (!session) page = <Login onLogin={setSession} />;
  else if (committeeProps && session.actor.role === 'expert') page = <ExpertRoom {...committeeProps} />;
  else if (committeeProps && session.actor.role === 'supervisor')
    page = <SupervisorCommittee {...committeeProps} />;
  else if (committeeProps && session.actor.role === 'host') page = <HostCommittee {...committeeProps} />;
  else if (committeeProps && session.actor.role === 'tenderee')
    page = <TendereeCommittee {...committeeProps} />;
  else if (session.actor.role === 'expert') page = <ExpertHome session={session} />;
  else if (session.actor.role === 'supervisor' && mediaPage === 'wall')
    page = <SupervisorWall session={session} />;
  else if (session.actor.role === 'supervisor' && mediaPage === 'playback')
    page = <Playback session={session} />;
  else if (mediaPage === 'experts' && can(session.actor.role, 'pool:read'))
    page = <ExpertHistory session={session} />;
  else if (!tenderId) page = <TenderList session={session} onOpen={open} />;
  else {
    const props = { session, tenderId, onBack: () => open(null) };
    switch (session.actor.role) {
      case 'bidder':
        page = <BidderHall {...props} />;
        break;
      case 'host':
        page = <HostConsole {...props} />;
        break;
      case 'custodian':
        page = <CustodianPage {...props} />;
        break;
      case 'tenderee':
        page = <TendereePage {...props} />;
        break;
      default:
        page = <SupervisorView {...props} />;
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <nav className="topbar" aria-label={t('appName')}>
        <span className="brand">{t('appName')}</span>
        {session?.actor.role === 'supervisor' && (
          <>
            <a href="#/">{t('tenders')}</a>
            <a href="#/wall">{t('supervisorWall')}</a>
            <a href="#/playback">{t('playback')}</a>
          </>
        )}
        {session && can(session.actor.role, 'pool:read') && <a href="#/experts">{t('expertHistory')}</a>}
        <span className="spacer" />
        {session && (
          <span className="who" data-testid="who">
            {session.actor.name} · {t(`roles_${session.actor.role}`)}
          </span>
        )}
        <button
          type="button"
          className="link"
          lang={language === 'zh' ? 'en' : 'zh-CN'}
          onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}
        >
          {t('language')}
        </button>
        {session && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setSession(null);
              open(null);
            }}
          >
            {t('logOut')}
          </button>
        )}
      </nav>
      <div id="main">{page}</div>
    </>
  );
}
