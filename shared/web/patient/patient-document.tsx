import type { ComponentChildren, VNode } from 'preact';
import type { Language } from '../../contracts/booking-events';
import { PhoneLink } from '../components';
import { htmlLang } from '../i18n';
import { Document } from '../layout';
import { PAGE_STYLE } from '../styles';

export interface PatientDocumentProps {
  language: Language;
  title: string;
  clinicName?: string | undefined;
  clinicPhone?: string | undefined;
  children: ComponentChildren;
}

/** A patient page: the shared skeleton with the clinic's name as banner and its phone in the footer. */
export function PatientDocument(props: PatientDocumentProps): VNode {
  const { clinicName, clinicPhone } = props;
  return (
    <Document
      lang={htmlLang(props.language)}
      title={clinicName ? `${props.title} – ${clinicName}` : props.title}
      style={PAGE_STYLE}
      header={
        clinicName ? (
          <header class="site-header">
            <p>{clinicName}</p>
          </header>
        ) : undefined
      }
      footer={
        clinicName && clinicPhone ? (
          <footer class="site-footer">
            <p>
              {clinicName} · <PhoneLink phone={clinicPhone} />
            </p>
          </footer>
        ) : undefined
      }
    >
      {props.children}
    </Document>
  );
}
