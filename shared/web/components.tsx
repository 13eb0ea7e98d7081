import type { ComponentChildren, VNode } from 'preact';
import type { Language } from '../contracts/booking-events';
import { telHref } from '../domain/checkins/crisis-resources';
import { CATALOGUES, type MessageKey, type MessageParams } from './i18n';

/*
 * Pieces every page shares. Text goes in as text and the renderer escapes
 * it; nothing here builds HTML by hand.
 */

export interface RichProps<K extends MessageKey> {
  language: Language;
  message: K;
  /** What fills each `{name}` of the message: links, phone numbers, or text. */
  params: MessageParams<K, ComponentChildren>;
}

/** A catalogue message whose parameters are filled with elements (a phone link, a 988 link). */
export function Rich<K extends MessageKey>(props: RichProps<K>): VNode {
  const values: Readonly<Record<string, ComponentChildren>> = props.params;
  // split() with a capturing group: even indexes are text, odd ones parameter names.
  const parts = CATALOGUES[props.language][props.message].split(/\{([^{}]+)\}/);
  return <>{parts.map((part, index) => (index % 2 === 0 ? part : values[part]))}</>;
}

/** A phone number that does not break across lines. */
export function PhoneText(props: { phone: string }): VNode {
  return <span class="nowrap">{props.phone}</span>;
}

/** A phone number to tap and call. */
export function PhoneLink(props: { phone: string }): VNode {
  return (
    <a href={telHref(props.phone)}>
      <PhoneText phone={props.phone} />
    </a>
  );
}

/** The `{n911}` and `{n988}` of the crisis messages, as tap-to-call links. */
export const CRISIS_LINKS = {
  n911: <a href="tel:911">911</a>,
  n988: <a href="tel:988">988</a>,
} as const;

/** The crisis box: 911 and 988, first on the form and on every page that refuses an answer. */
export function CrisisBox(props: { language: Language }): VNode {
  return (
    <p class="emergency">
      <Rich language={props.language} message="emergency.note" params={CRISIS_LINKS} />
    </p>
  );
}

/** "If you are in crisis, call or text 988 ...": the line at the foot of every patient page. */
export function CrisisSmallPrint(props: { language: Language }): VNode {
  return (
    <p class="small">
      <Rich language={props.language} message="crisis.smallPrint" params={CRISIS_LINKS} />
    </p>
  );
}

/**
 * Text that came from outside (a patient's name or note, a booking system's
 * location) isolated from the page's direction, so it can never reorder the
 * words around it, even with format characters that slipped past input.
 */
export function Outside(props: { text: string }): VNode {
  return <bdi>{props.text}</bdi>;
}
