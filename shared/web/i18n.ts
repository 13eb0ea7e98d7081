import type { Language } from '../contracts/booking-events';
import type { CheckinKind, Severity, SideEffect } from '../contracts/vocabulary';

/**
 * Every patient-facing string of the check-in pages, in English and Spanish.
 *
 * Wording: plain, warm, short sentences (about a 6th-grade reading level);
 * Spanish uses "usted", like the clinic's message templates. `{name}` marks a
 * parameter, filled by `t` (as text) or by the page renderers (as a link).
 * PHQ-9 and GAD-7 items use the published wording (free to use; Spanish: the
 * Pfizer Spanish-for-the-USA versions). The self-harm question is our own
 * wording, not the C-SSRS (which needs a licence for electronic use).
 */

/** Keys that must exist because code builds them from domain constants. */
type DerivedKey =
  | `sideEffect.${SideEffect}`
  | `severity.${Severity}`
  | `window.${CheckinKind}`
  | `phq9Difficulty.option.${0 | 1 | 2 | 3}`
  | `phq9.${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}`
  | `phq9.option.${0 | 1 | 2 | 3}`
  | `gad7.${0 | 1 | 2 | 3 | 4 | 5 | 6}`
  | `gad7.option.${0 | 1 | 2 | 3}`;

const en = {
  // Shared by every page
  'emergency.note':
    'In an emergency, call {n911}. If you are thinking about hurting yourself, call or text {n988} (Suicide & Crisis Lifeline), any time, day or night.',
  'crisis.smallPrint':
    'If you are in crisis, call or text {n988} any time, day or night. In an emergency, call {n911}.',

  // Check-in form
  'form.title': 'How are you feeling?',
  'form.intro':
    'Please answer a few questions about how you have felt {window}. It takes about {minutes} minutes. Your answers go to your care team at {clinicName}.',
  'window.checkin-same-day': 'since you left the clinic',
  'window.checkin-next-day': 'in the last 24 hours',
  'window.checkin-week': 'in the past 7 days',
  'form.requiredNote': 'Questions marked "required" need an answer.',
  'form.required': 'required',
  'form.mood.legend': 'How is your mood right now?',
  'form.mood.hint': 'Choose a number. 0 is the worst you could feel. 10 is the best.',
  'form.sideEffects.heading': 'Have you had any of these {window}?',
  'form.sideEffects.hint':
    'For each one, choose how strong it has been. If you have not had it, leave "None" chosen.',
  'form.severity.mild': 'Mild: you notice it, but it does not get in the way.',
  'form.severity.moderate': 'Moderate: it gets in the way of everyday things.',
  'form.severity.severe': 'Severe: you cannot do your usual activities or take care of yourself.',
  'sideEffect.nausea': 'Feeling sick to your stomach (nausea)',
  'sideEffect.vomiting': 'Throwing up (vomiting)',
  'sideEffect.dizziness': 'Feeling dizzy, lightheaded or faint',
  'sideEffect.fainting': 'Fainting (passing out), or nearly fainting',
  'sideEffect.racing-heart': 'Racing heart or pounding in your chest',
  'sideEffect.chest-pain': 'Chest pain or tightness',
  'sideEffect.trouble-breathing': 'Trouble breathing',
  'sideEffect.headache': 'Headache',
  'sideEffect.blurred-vision': 'Blurry vision',
  'sideEffect.fatigue': 'Tiredness or sleepiness',
  'sideEffect.dissociation': 'Feeling detached or unreal',
  'sideEffect.out-of-body': 'Feeling outside your body',
  'sideEffect.confusion': 'Confusion, or trouble thinking clearly',
  'sideEffect.hallucinations': 'Seeing or hearing things that are not there',
  'sideEffect.panic': 'Panic or sudden strong fear',
  'sideEffect.restlessness': 'Feeling restless or unable to sit still',
  'sideEffect.poor-coordination': 'Trouble with balance or coordination',
  'sideEffect.unusually-high-mood':
    'Unusually high, excited or irritable mood, racing thoughts, or needing much less sleep',
  'sideEffect.bladder': 'Pain or burning when passing urine, needing to go urgently, or blood in urine',
  'form.stillNow.legend': 'Do you still feel this now?',
  'severity.none': 'None',
  'severity.mild': 'Mild',
  'severity.moderate': 'Moderate',
  'severity.severe': 'Severe',
  'form.more.heading': 'A few more questions',
  'form.selfHarm.legend':
    'Have you had thoughts {window} that you would be better off dead, or of hurting yourself in some way?',
  'form.selfHarm.hint':
    'Many people have thoughts like these. If you answer yes, we will show you how to get help right away and ask your care team to contact you.',
  'form.selfHarmNow.legend': 'If you answered yes: are you thinking about acting on these thoughts now?',
  'form.selfHarmNow.hint': 'If you are, please call 911 now.',
  'form.no': 'No',
  'form.yes': 'Yes',
  'form.wantsCall.label': 'Please call me',
  'form.wantsCall.hint': 'Check this box if you would like someone from {clinicName} to call you.',
  'form.note.label': 'Is there anything else you want to tell us?',
  'form.note.hint':
    'Optional, up to 2,000 characters. Your care team may not read it right away: if you need help now, call {clinicName} at {phone}, call or text 988, or call 911.',
  'form.screeners.heading': 'Two short questionnaires',
  'form.screeners.intro':
    'These questions are optional. Your answers help your care team see how you are doing over time.',
  'phq9.heading': 'Your mood over the last 2 weeks',
  'phq9.stem': 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  'phq9.0': 'Little interest or pleasure in doing things',
  'phq9.1': 'Feeling down, depressed, or hopeless',
  'phq9.2': 'Trouble falling or staying asleep, or sleeping too much',
  'phq9.3': 'Feeling tired or having little energy',
  'phq9.4': 'Poor appetite or overeating',
  'phq9.5': 'Feeling bad about yourself — or that you are a failure or have let yourself or your family down',
  'phq9.6': 'Trouble concentrating on things, such as reading the newspaper or watching television',
  'phq9.7':
    'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual',
  'phq9.8': 'Thoughts that you would be better off dead or of hurting yourself in some way',
  'phq9.option.0': 'Not at all',
  'phq9.option.1': 'Several days',
  'phq9.option.2': 'More than half the days',
  'phq9.option.3': 'Nearly every day',
  'phq9Difficulty.legend':
    'If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?',
  'phq9Difficulty.option.0': 'Not difficult at all',
  'phq9Difficulty.option.1': 'Somewhat difficult',
  'phq9Difficulty.option.2': 'Very difficult',
  'phq9Difficulty.option.3': 'Extremely difficult',
  'gad7.heading': 'Worry and nerves over the last 2 weeks',
  'gad7.stem': 'Over the last 2 weeks, how often have you been bothered by the following problems?',
  'gad7.0': 'Feeling nervous, anxious, or on edge',
  'gad7.1': 'Not being able to stop or control worrying',
  'gad7.2': 'Worrying too much about different things',
  'gad7.3': 'Trouble relaxing',
  'gad7.4': 'Being so restless that it is hard to sit still',
  'gad7.5': 'Becoming easily annoyed or irritable',
  'gad7.6': 'Feeling afraid as if something awful might happen',
  'gad7.option.0': 'Not at all',
  'gad7.option.1': 'Several days',
  'gad7.option.2': 'More than half the days',
  'gad7.option.3': 'Nearly every day',
  'form.submit': 'Send my answers',

  // Form errors, keyed by the parser's error field
  'error.titlePrefix': 'Error:',
  'error.summaryTitle': 'There is a problem with your answers',
  'error.summaryIntro':
    'Your answers have not been sent yet. Please fix the questions below, then press "Send my answers" again.',
  'error.mood': 'Please choose a number from 0 to 10 for your mood.',
  'error.sideEffect': 'For "{effect}", please choose None, Mild, Moderate or Severe.',
  'error.selfHarm': 'Please answer the question about thoughts of hurting yourself: choose No or Yes.',
  'error.selfHarmNow':
    'Please tell us if you are thinking about acting on these thoughts now: choose No or Yes. If you are, call 911 now.',
  'error.stillNow': 'For "{effect}", please tell us if you still feel it now: choose No or Yes.',
  'error.phq9Difficulty': 'Please choose one answer for how difficult these problems have made things.',
  'error.wantsCall': 'Please check the box again if you would like us to call you.',
  'error.note': 'Your note is too long. Please shorten it to 2,000 characters or fewer.',
  'error.phq9Item':
    'Please choose an answer for mood question {number}. Once you start this part, every question needs an answer.',
  'error.gad7Item':
    'Please choose an answer for worry question {number}. Once you start this part, every question needs an answer.',
  'error.phq9': 'Please answer all 9 questions about your mood, or leave them all blank.',
  'error.gad7': 'Please answer all 7 questions about worry and nerves, or leave them all blank.',
  'error.other':
    'Some of your answers could not be read. Please check them, then press "Send my answers" again.',

  // After a routine or review answer
  'received.title': 'Thank you',
  'received.saved': 'We got your answers. Thank you for checking in.',
  'received.nextHeading': 'What happens next',
  'received.routine.next':
    'You do not need to do anything else now. If you start to feel worse or have questions, call {clinicName} at {phone}.',
  'received.review.next':
    'Someone from your care team will look at your answers. If you start to feel worse before you hear from us, call {clinicName} at {phone}.',
  'received.callback.next':
    'You asked us to call you. {promise} If you start to feel worse before we call, call {clinicName} at {phone}.',

  // After an urgent answer
  'crisis.title': 'Help is available right now',
  'emergency.title': 'Call 911 now',
  'emergency.lead':
    'If you have chest pain, trouble breathing, fainted, or feel very unwell, call 911 now. Do not wait for our call.',
  'callUs.title': 'Please call us now',
  'callUs.lead': 'Please call {clinicName} now at {phone}. If you feel very unwell, call 911.',
  'crisis.actingNow': 'If you might act on these thoughts now, call 911 or go to the nearest emergency room.',
  'crisis.bothFirst':
    'If you might act on these thoughts now, call 911. To talk with someone now, call or text 988.',
  'urgent.letting':
    'We are letting your care team know, and someone will try to contact you as soon as possible.',
  'urgent.someUnread': 'We saved what you told us, but some other answers could not be read: {problems}',
  'crisis.intro': 'Thank you for telling us. You do not have to go through this alone.',
  'crisis.callNumber': 'Call {number}',
  'crisis.textNumber': 'Text {number}',
  'crisis.about988':
    'The 988 Suicide & Crisis Lifeline is free and open 24 hours a day, every day. You can talk or text with a trained counselor.',
  'crisis.chat988': 'Chat online at 988lifeline.org',
  'crisis.answersHeading': 'Your answers',
  'crisis.saved': 'Your answers are saved.',
  'crisis.notSaved':
    'We are sorry: we could not save your answers, so your care team may not know how you are feeling.',
  'crisis.notSavedCall': 'Please call {clinicName} now at {phone}.',

  // Link problems
  'problem.invalid.title': 'This link does not work',
  'problem.invalid.body':
    'The link may be incomplete. Please open it again from your most recent message, and make sure you use the whole link.',
  'problem.expired.title': 'This link has expired',
  'problem.expired.body': 'To keep your information private, our links only work for a few days.',
  'problem.revoked.title': 'This appointment was cancelled',
  'problem.revoked.body': 'This link no longer works because the appointment it was for was cancelled.',
  'problem.not-found.title': 'We could not find this page',
  'problem.not-found.body': 'Your appointment may have been changed or cancelled.',
  'problem.too-many.title': 'This link has been used many times',
  'problem.too-many.body':
    'We have your earlier answers. To tell us something new, please call us; this link does not take more answers.',
  'problem.too-large.title': 'Your answers were too long to read',
  'problem.too-large.body':
    'Please go back, shorten your note, and send your answers again. If that does not work, call us.',
  'problem.not-saved.title': 'We could not save your answers',
  'problem.not-saved.body':
    'We are sorry: something went wrong on our side, and your answers were not saved. Please go back and send them again in a few minutes.',
  'problem.contact': 'To tell us how you are doing, or if you have questions, call {clinicName} at {phone}.',
  'problem.contactUnknown':
    'To tell us how you are doing, or if you have questions, please call your clinic.',

  // Preparation instructions page
  'instructions.title': 'How to prepare for your appointment',
  'readiness.title': 'Are you ready for your visit?',
  'readiness.intro': 'Three quick questions, so we can help before your visit if something is not right.',
  'readiness.rideHome': 'Is someone taking you home after your visit?',
  'readiness.fasting': 'Do you know when to stop eating and drinking?',
  'readiness.newMedicine': 'Have you started any new medicine since your last visit?',
  'readiness.error.rideHome': 'Tell us whether someone is taking you home.',
  'readiness.error.fasting': 'Tell us whether you know when to stop eating and drinking.',
  'readiness.error.newMedicine': 'Tell us whether you started any new medicine.',
  'readiness.thanks': 'Thank you. We have your answers. See you soon.',
  'readiness.concern':
    'Thank you for telling us. Someone from the clinic will call you before your visit. You can also call {clinicName} at {phone}.',
} as const satisfies { readonly [K in DerivedKey]: string } & { readonly [key: string]: string };

/** The name of one patient-facing message. */
export type MessageKey = keyof typeof en;

/**
 * A catalogue for one language: exactly the English keys, no more and no
 * fewer. Assigning an object literal with a missing or extra key to this
 * type is a compile error (see tests/unit/i18n.test.ts).
 */
export type Catalogue = { readonly [K in MessageKey]: string };

const es: Catalogue = {
  'emergency.note':
    'En una emergencia, llame al {n911}. Si está pensando en hacerse daño, llame al {n988} y oprima 2, o envíe AYUDA por mensaje de texto al 988 (Línea 988 de Prevención del Suicidio y Crisis), a cualquier hora del día o de la noche.',
  'crisis.smallPrint':
    'Si está en crisis, llame al {n988} y oprima 2, o envíe AYUDA por mensaje de texto al 988, a cualquier hora del día o de la noche. En una emergencia, llame al {n911}.',

  'form.title': '¿Cómo se siente?',
  'form.intro':
    'Por favor, responda unas preguntas sobre cómo se ha sentido {window}. Le tomará unos {minutes} minutos. Sus respuestas llegan a su equipo de atención en {clinicName}.',
  'window.checkin-same-day': 'desde que salió de la clínica',
  'window.checkin-next-day': 'en las últimas 24 horas',
  'window.checkin-week': 'en los últimos 7 días',
  'form.requiredNote': 'Las preguntas marcadas como «obligatoria» necesitan una respuesta.',
  'form.required': 'obligatoria',
  'form.mood.legend': '¿Cómo está su estado de ánimo en este momento?',
  'form.mood.hint': 'Elija un número. 0 es lo peor que podría sentirse. 10 es lo mejor.',
  'form.sideEffects.heading': '¿Ha tenido alguna de estas molestias {window}?',
  'form.sideEffects.hint':
    'Para cada una, elija qué tan fuerte ha sido. Si no la ha tenido, deje marcada la opción «Ninguna».',
  'form.severity.mild': 'Leve: lo nota, pero no le impide hacer sus cosas.',
  'form.severity.moderate': 'Moderada: le dificulta hacer las cosas de todos los días.',
  'form.severity.severe': 'Grave: no puede hacer sus actividades habituales ni cuidarse.',
  'sideEffect.nausea': 'Malestar de estómago o ganas de vomitar (náuseas)',
  'sideEffect.vomiting': 'Vómitos',
  'sideEffect.dizziness': 'Mareo o sensación de que se va a desmayar',
  'sideEffect.fainting': 'Desmayo (perder el conocimiento), o casi desmayarse',
  'sideEffect.racing-heart': 'Corazón acelerado o latidos fuertes en el pecho',
  'sideEffect.chest-pain': 'Dolor o presión en el pecho',
  'sideEffect.trouble-breathing': 'Dificultad para respirar',
  'sideEffect.headache': 'Dolor de cabeza',
  'sideEffect.blurred-vision': 'Visión borrosa',
  'sideEffect.fatigue': 'Cansancio o sueño',
  'sideEffect.dissociation': 'Sentirse desconectado/a o como si nada fuera real',
  'sideEffect.out-of-body': 'Sentirse fuera de su cuerpo',
  'sideEffect.confusion': 'Confusión, o dificultad para pensar con claridad',
  'sideEffect.hallucinations': 'Ver u oír cosas que no están ahí',
  'sideEffect.panic': 'Pánico o un miedo fuerte y repentino',
  'sideEffect.restlessness': 'Inquietud o no poder quedarse quieto/a',
  'sideEffect.poor-coordination': 'Problemas de equilibrio o de coordinación',
  'sideEffect.unusually-high-mood':
    'Ánimo inusualmente alto, excitado o irritable, pensamientos acelerados, o necesitar mucho menos sueño',
  'sideEffect.bladder': 'Dolor o ardor al orinar, necesidad urgente de orinar, o sangre en la orina',
  'form.stillNow.legend': '¿Todavía lo siente ahora?',
  'severity.none': 'Ninguna',
  'severity.mild': 'Leve',
  'severity.moderate': 'Moderada',
  'severity.severe': 'Grave',
  'form.more.heading': 'Algunas preguntas más',
  'form.selfHarm.legend':
    '¿Ha tenido pensamientos {window} de que estaría mejor muerto/a, o de hacerse daño de alguna manera?',
  'form.selfHarm.hint':
    'Muchas personas tienen pensamientos así. Si responde que sí, le mostraremos cómo recibir ayuda de inmediato y le pediremos a su equipo de atención que se comunique con usted.',
  'form.no': 'No',
  'form.yes': 'Sí',
  'form.selfHarmNow.legend': 'Si respondió que sí: ¿está pensando en actuar según esos pensamientos ahora?',
  'form.selfHarmNow.hint': 'Si es así, llame al 911 ahora.',
  'form.wantsCall.label': 'Por favor, llámenme',
  'form.wantsCall.hint': 'Marque esta casilla si quiere que alguien de {clinicName} le llame.',
  'form.note.label': '¿Hay algo más que quiera contarnos?',
  'form.note.hint':
    'Opcional, hasta 2000 caracteres. Es posible que su equipo de atención no la lea enseguida: si necesita ayuda ahora, llame a {clinicName} al {phone}, llame o envíe un mensaje de texto al 988, o llame al 911.',
  'form.screeners.heading': 'Dos cuestionarios breves',
  'form.screeners.intro':
    'Estas preguntas son opcionales. Sus respuestas ayudan a su equipo de atención a ver cómo va usted con el tiempo.',
  'phq9.heading': 'Su estado de ánimo en las últimas 2 semanas',
  'phq9.stem':
    'Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes problemas?',
  'phq9.0': 'Poco interés o placer en hacer cosas',
  'phq9.1': 'Se ha sentido decaído(a), deprimido(a) o sin esperanzas',
  'phq9.2': 'Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado',
  'phq9.3': 'Se ha sentido cansado(a) o con poca energía',
  'phq9.4': 'Sin apetito o ha comido en exceso',
  'phq9.5':
    'Se ha sentido mal con usted mismo(a) — o que es un fracaso o que ha quedado mal con usted mismo(a) o con su familia',
  'phq9.6':
    'Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico o ver la televisión',
  'phq9.7':
    '¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? O lo contrario — muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal',
  'phq9.8': 'Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera',
  'phq9.option.0': 'Ningún día',
  'phq9.option.1': 'Varios días',
  'phq9.option.2': 'Más de la mitad de los días',
  'phq9.option.3': 'Casi todos los días',
  'phq9Difficulty.legend':
    'Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas para hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien con otras personas?',
  'phq9Difficulty.option.0': 'No ha sido difícil',
  'phq9Difficulty.option.1': 'Un poco difícil',
  'phq9Difficulty.option.2': 'Muy difícil',
  'phq9Difficulty.option.3': 'Extremadamente difícil',
  'gad7.heading': 'Preocupación y nervios en las últimas 2 semanas',
  'gad7.stem':
    'Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes problemas?',
  'gad7.0': 'Sentirse nervioso(a), intranquilo(a) o con los nervios de punta',
  'gad7.1': 'No poder dejar de preocuparse o no poder controlar la preocupación',
  'gad7.2': 'Preocuparse demasiado por diferentes cosas',
  'gad7.3': 'Dificultad para relajarse',
  'gad7.4': 'Estar tan inquieto(a) que es difícil permanecer sentado(a) tranquilamente',
  'gad7.5': 'Molestarse o ponerse irritable fácilmente',
  'gad7.6': 'Sentir miedo como si algo terrible pudiera pasar',
  'gad7.option.0': 'Nunca',
  'gad7.option.1': 'Varios días',
  'gad7.option.2': 'Más de la mitad de los días',
  'gad7.option.3': 'Casi todos los días',
  'form.submit': 'Enviar mis respuestas',

  'error.titlePrefix': 'Error:',
  'error.summaryTitle': 'Hay un problema con sus respuestas',
  'error.summaryIntro':
    'Sus respuestas aún no se han enviado. Corrija las preguntas de abajo y vuelva a pulsar «Enviar mis respuestas».',
  'error.mood': 'Elija un número del 0 al 10 para su estado de ánimo.',
  'error.sideEffect': 'En «{effect}», elija Ninguna, Leve, Moderada o Grave.',
  'error.selfHarm': 'Responda la pregunta sobre pensamientos de hacerse daño: elija No o Sí.',
  'error.selfHarmNow':
    'Díganos si está pensando en actuar según esos pensamientos ahora: elija No o Sí. Si es así, llame al 911 ahora.',
  'error.stillNow': 'En «{effect}», díganos si todavía lo siente ahora: elija No o Sí.',
  'error.phq9Difficulty': 'Elija una respuesta sobre qué tanta dificultad le han dado estos problemas.',
  'error.wantsCall': 'Vuelva a marcar la casilla si quiere que le llamemos.',
  'error.note': 'Su nota es demasiado larga. Acórtela a 2000 caracteres o menos.',
  'error.phq9Item':
    'Elija una respuesta para la pregunta {number} sobre su estado de ánimo. Si empieza esta parte, cada pregunta necesita una respuesta.',
  'error.gad7Item':
    'Elija una respuesta para la pregunta {number} sobre preocupación. Si empieza esta parte, cada pregunta necesita una respuesta.',
  'error.phq9': 'Responda las 9 preguntas sobre su estado de ánimo, o deje todas en blanco.',
  'error.gad7': 'Responda las 7 preguntas sobre preocupación y nervios, o deje todas en blanco.',
  'error.other':
    'No pudimos leer algunas de sus respuestas. Revíselas y vuelva a pulsar «Enviar mis respuestas».',

  'received.title': 'Gracias',
  'received.saved': 'Recibimos sus respuestas. Gracias por contarnos cómo está.',
  'received.nextHeading': 'Qué pasa ahora',
  'received.routine.next':
    'No necesita hacer nada más por ahora. Si empieza a sentirse peor o tiene preguntas, llame a {clinicName} al {phone}.',
  'received.review.next':
    'Alguien de su equipo de atención revisará sus respuestas. Si empieza a sentirse peor antes de que le contactemos, llame a {clinicName} al {phone}.',
  'received.callback.next':
    'Nos pidió que le llamemos. {promise} Si empieza a sentirse peor antes de nuestra llamada, llame a {clinicName} al {phone}.',

  'crisis.title': 'Hay ayuda disponible ahora mismo',
  'emergency.title': 'Llame al 911 ahora',
  'emergency.lead':
    'Si tiene dolor en el pecho, dificultad para respirar, se desmayó o se siente muy mal, llame al 911 ahora. No espere nuestra llamada.',
  'callUs.title': 'Por favor, llámenos ahora',
  'callUs.lead': 'Por favor, llame ahora a {clinicName} al {phone}. Si se siente muy mal, llame al 911.',
  'crisis.actingNow':
    'Si podría actuar según esos pensamientos ahora, llame al 911 o vaya a la sala de emergencias más cercana.',
  'crisis.bothFirst':
    'Si podría actuar según esos pensamientos ahora, llame al 911. Para hablar con alguien ahora, llame al 988 y oprima 2, o envíe AYUDA por mensaje de texto al 988.',
  'urgent.letting':
    'Estamos avisando a su equipo de atención, y alguien intentará comunicarse con usted lo antes posible.',
  'urgent.someUnread':
    'Guardamos lo que nos contó, pero no pudimos leer algunas otras respuestas: {problems}',
  'crisis.intro': 'Gracias por contárnoslo. No tiene que pasar por esto a solas.',
  'crisis.callNumber': 'Llamar al {number}',
  'crisis.textNumber': 'Enviar un mensaje de texto al {number}',
  'crisis.about988':
    'La Línea 988 de Prevención del Suicidio y Crisis es gratuita y atiende las 24 horas, todos los días: llame al 988 y oprima 2, o envíe AYUDA por mensaje de texto al 988. Puede hablar o escribir con un consejero capacitado.',
  'crisis.chat988': 'Chatear en línea en 988lineadevida.org',
  'crisis.answersHeading': 'Sus respuestas',
  'crisis.saved': 'Sus respuestas se guardaron.',
  'crisis.notSaved':
    'Lo sentimos: no pudimos guardar sus respuestas, así que es posible que su equipo de atención no sepa cómo se siente.',
  'crisis.notSavedCall': 'Por favor, llame ahora a {clinicName} al {phone}.',

  'problem.invalid.title': 'Este enlace no funciona',
  'problem.invalid.body':
    'Es posible que el enlace esté incompleto. Ábralo otra vez desde su mensaje más reciente y asegúrese de usar el enlace completo.',
  'problem.expired.title': 'Este enlace ya venció',
  'problem.expired.body': 'Para proteger su información, nuestros enlaces solo funcionan por unos días.',
  'problem.revoked.title': 'Esta cita se canceló',
  'problem.revoked.body': 'Este enlace ya no funciona porque la cita a la que correspondía se canceló.',
  'problem.not-found.title': 'No encontramos esta página',
  'problem.not-found.body': 'Es posible que su cita haya cambiado o se haya cancelado.',
  'problem.too-many.title': 'Este enlace se ha usado muchas veces',
  'problem.too-many.body':
    'Tenemos sus respuestas anteriores. Para contarnos algo nuevo, llámenos; este enlace ya no acepta más respuestas.',
  'problem.too-large.title': 'Sus respuestas eran demasiado largas',
  'problem.too-large.body':
    'Vuelva atrás, acorte su nota y envíe sus respuestas otra vez. Si no funciona, llámenos.',
  'problem.not-saved.title': 'No pudimos guardar sus respuestas',
  'problem.not-saved.body':
    'Lo sentimos: algo falló de nuestro lado y sus respuestas no se guardaron. Vuelva atrás y envíelas otra vez en unos minutos.',
  'problem.contact': 'Para contarnos cómo está, o si tiene preguntas, llame a {clinicName} al {phone}.',
  'problem.contactUnknown': 'Para contarnos cómo está, o si tiene preguntas, llame a su clínica.',

  'instructions.title': 'Cómo prepararse para su cita',
  'readiness.title': '¿Está listo para su cita?',
  'readiness.intro': 'Tres preguntas rápidas, para ayudarle antes de su cita si algo no está bien.',
  'readiness.rideHome': '¿Alguien lo llevará a casa después de su cita?',
  'readiness.fasting': '¿Sabe cuándo dejar de comer y de beber?',
  'readiness.newMedicine': '¿Empezó a tomar algún medicamento nuevo desde su última visita?',
  'readiness.error.rideHome': 'Díganos si alguien lo llevará a casa.',
  'readiness.error.fasting': 'Díganos si sabe cuándo dejar de comer y de beber.',
  'readiness.error.newMedicine': 'Díganos si empezó algún medicamento nuevo.',
  'readiness.thanks': 'Gracias. Ya tenemos sus respuestas. Hasta pronto.',
  'readiness.concern':
    'Gracias por decírnoslo. Alguien de la clínica le llamará antes de su cita. También puede llamar a {clinicName} al {phone}.',
};

/** The catalogues by language. */
export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, es };

/** The parameter names in a message, e.g. `'clinicName' | 'phone'` for "Call {clinicName} at {phone}." */
export type ParamNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

/** The parameters a message takes, named after the English text; `V` is what fills them. */
export type MessageParams<K extends MessageKey, V = string> = {
  readonly [P in ParamNames<(typeof en)[K]>]: V;
};

/** No argument for a message without parameters, one object for a message with some. */
export type ParamArgs<K extends MessageKey> = [ParamNames<(typeof en)[K]>] extends [never]
  ? []
  : [params: MessageParams<K>];

/** The `{name}` parameters in a message text, in order of appearance. */
export function paramNamesOf(text: string): string[] {
  return [...text.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1] ?? '');
}

/** Replaces each `{name}` in `text` with `fill(name)`. */
export function fillParams(text: string, fill: (name: string) => string): string {
  return text.replace(/\{([^{}]+)\}/g, (_match, name: string) => fill(name));
}

/**
 * A message as plain text in a language, parameters filled in. Pages put it
 * in JSX, which escapes it; `Rich` fills parameters with links instead.
 *
 * @example t('es', 'crisis.notSavedCall', { clinicName: 'Clínica Sol', phone: '555-0100' })
 */
export function t<K extends MessageKey>(language: Language, key: K, ...params: ParamArgs<K>): string {
  const values: Readonly<Record<string, string>> = params[0] ?? {};
  return fillParams(CATALOGUES[language][key], (name) => values[name] ?? `{${name}}`);
}

/** The `lang` attribute value for a language. */
export function htmlLang(language: Language): string {
  return language === 'es' ? 'es' : 'en';
}
