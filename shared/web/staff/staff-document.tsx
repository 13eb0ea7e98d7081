import type { ComponentChildren, VNode } from 'preact';
import { Document } from '../layout';
import { STAFF_PAGE_STYLE } from '../styles';

/** A staff page: English, the staff stylesheet, the clinic's name as banner, a reminder not to share it. */
export function StaffDocument(props: {
  title: string;
  clinicName?: string | undefined;
  children: ComponentChildren;
}): VNode {
  const { clinicName } = props;
  return (
    <Document
      lang="en"
      title={clinicName ? `${props.title} – ${clinicName} staff` : props.title}
      style={STAFF_PAGE_STYLE}
      header={
        clinicName ? (
          <header class="site-header">
            <p>{clinicName} · Staff</p>
          </header>
        ) : undefined
      }
      footer={
        <footer class="site-footer">
          <p>This page shows patient health information. Do not forward or share its link.</p>
        </footer>
      }
    >
      {props.children}
    </Document>
  );
}
