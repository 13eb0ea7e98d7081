import type { ComponentChildren, VNode } from 'preact';
import { type ConsoleArea, mayUse, type Staff } from '../../domain/console/staff';
import { Document } from '../layout';
import { CONSOLE_STYLE } from '../styles';

/** What every console page knows about who is looking. */
export interface ConsoleViewer {
  staff: Staff;
  /** Goes into every form: the session's CSRF token. */
  csrfToken: string;
}

const NAV: readonly { area: ConsoleArea; href: string; label: string }[] = [
  { area: 'home', href: '/console', label: 'Overview' },
  { area: 'today', href: '/console/today', label: 'Today' },
  { area: 'patient', href: '/console/patients', label: 'Patients' },
  { area: 'outcomes', href: '/console/outcomes', label: 'Outcomes' },
  { area: 'export', href: '/console/export', label: 'Export' },
  { area: 'alerts', href: '/console/alerts', label: 'Alerts' },
  { area: 'review', href: '/console/review', label: 'Review' },
  { area: 'notices', href: '/console/notices', label: 'Notices' },
  { area: 'audit', href: '/console/audit', label: 'Audit' },
];

/** A hidden field that proves a form came from a console page of this session. */
export function CsrfField(props: { token: string }): VNode {
  return <input type="hidden" name="csrf" value={props.token} />;
}

export interface ConsoleDocumentProps {
  title: string;
  clinicName: string;
  /** Signed-in viewer; absent on the signed-out and error pages. */
  viewer?: ConsoleViewer;
  /** The area the page belongs to, marked in the navigation. */
  current?: ConsoleArea;
  children: ComponentChildren;
}

/** A console page: the clinic's banner with navigation for the viewer's groups, and a sign-out button. */
export function ConsoleDocument(props: ConsoleDocumentProps): VNode {
  const { viewer } = props;
  return (
    <Document
      lang="en"
      title={`${props.title} – ${props.clinicName} staff console`}
      style={CONSOLE_STYLE}
      header={
        <header class="site-header">
          <p>{props.clinicName} · Staff console</p>
          {viewer ? (
            <>
              <nav class="console-nav" aria-label="Console">
                <ul>
                  {NAV.filter((item) => mayUse(viewer.staff, item.area)).map((item) => (
                    <li>
                      <a href={item.href} aria-current={item.area === props.current ? 'page' : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <div class="who">
                <span>Signed in as {viewer.staff.name}</span>
                <form method="post" action="/console/sign-out">
                  <CsrfField token={viewer.csrfToken} />
                  <button type="submit" class="link-button">
                    Sign out
                  </button>
                </form>
              </div>
            </>
          ) : null}
        </header>
      }
      footer={
        <footer class="site-footer">
          <p>This console shows patient health information. Sign out when you leave the desk.</p>
        </footer>
      }
    >
      {props.children}
    </Document>
  );
}

/** A plain console page with a title and a few sentences: refused, not found, signed out. */
export function ConsoleMessagePage(props: {
  title: string;
  clinicName: string;
  viewer?: ConsoleViewer;
  lines: readonly string[];
  link?: { href: string; label: string };
}): VNode {
  return (
    <ConsoleDocument
      title={props.title}
      clinicName={props.clinicName}
      {...(props.viewer ? { viewer: props.viewer } : {})}
    >
      <h1>{props.title}</h1>
      {props.lines.map((line) => (
        <p>{line}</p>
      ))}
      {props.link ? (
        <p>
          <a class="button" href={props.link.href}>
            {props.link.label}
          </a>
        </p>
      ) : null}
    </ConsoleDocument>
  );
}
