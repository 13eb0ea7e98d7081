import type { ClinicConfigInput } from '../shared/contracts/clinic-config';

/*
 * The default clinic: a fictional practice used by the local runtime, the
 * tests and a first deploy. `validateClinicConfig` checks it at synth and cold
 * start: placeholders, one GSM-7 segment per SMS with the longest values, and
 * no drug, diagnosis or symptom in an SMS or subject. Email bodies may name
 * medicines (the patient needs to know which to raise); SMS and subjects are
 * seen on lock screens, so they carry at most a first name and the clinic.
 * Spanish SMS avoid á í ó ú (not GSM-7, they would be transliterated); ñ, é,
 * ¿ and ¡ are GSM-7 and stay.
 */

const en = {
  'prep-instructions': {
    subject: '{{firstName}}, how to prepare for your appointment at {{clinicName}}',
    body: `Hello {{firstName}},

Your appointment at {{clinicName}} is on {{sessionDate}} at {{sessionTime}}, at {{location}}, with {{clinicianName}}. Please read these instructions now and again the day before. They help keep your session safe and comfortable.

Eating and drinking
- No solid food after {{solidFoodCutoff}} ({{solidFoodHours}} before your session).
- You may drink clear liquids, such as water, apple juice, or black coffee or tea without milk, until {{clearLiquidsCutoff}} ({{clearLiquidsTime}} before your session). After that, please have nothing to eat or drink.

{{treatmentBlock}}

Getting home safely
- Arrange for a responsible adult to take you home after your session. You will not be able to leave on your own or drive yourself.

Alcohol and medicines
- Do not drink alcohol for 24 hours before and 24 hours after your session.
- Before your session, talk with {{clinicianName}} if you take any of these: benzodiazepines (such as lorazepam, clonazepam or alprazolam), lamotrigine, MAOIs, stimulants (such as ADHD medicines), medicines for blood pressure, opioids (strong pain medicines), sleep medicines, or cannabis.
- Take your usual morning medicines with a small sip of water, unless we tell you otherwise.
- Do not stop or change any medicine on your own.
- After your session, do not take opioids, benzodiazepines or sleep aids for 4 hours, unless we tell you to.

What to bring
- A photo ID
- A list of all the medicines and supplements you take
- Comfortable, loose clothing
- Headphones and an eye mask, if you would like them

Questions, or need to change your appointment? Call us at {{clinicPhone}}.

If you are in crisis, call or text 988 (Suicide & Crisis Lifeline), any time, day or night. In an emergency, call 911.

We look forward to seeing you,
{{clinicName}}`,
    sms: '{{firstName}}, please read before your {{clinicName}} visit: {{link}}',
  },
  'prep-reminder': {
    subject: 'Reminder: your appointment at {{clinicName}} is {{sessionDay}}',
    body: `Hello {{firstName}},

This is a reminder that your appointment at {{clinicName}} is {{sessionWhen}}, at {{sessionTime}}, at {{location}}.

A quick recap:
- No solid food after {{solidFoodCutoff}}. Clear liquids only until {{clearLiquidsCutoff}}.
- Take your usual morning medicines with a small sip of water, unless we told you otherwise.
- No alcohol from now until 24 hours after your session.
- Make sure someone can take you home. Do not drive until the next day, after a full night's sleep.
- Bring your photo ID and your list of medicines.

Please tell us you are ready (ride home, eating and drinking times, any new medicine); it takes a minute: {{link}}

Questions, or need to change your appointment? Call us at {{clinicPhone}}.

If you are in crisis, call or text 988, any time. In an emergency, call 911.

See you soon,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}}: see you {{sessionDay}} at {{sessionTime}}. No solid food after {{solidFoodCutoff}}. {{readinessQuestion}}',
  },
  'prep-day-of': {
    subject: 'See you today at {{sessionTime}}, {{firstName}}',
    body: `Hello {{firstName}},

We look forward to seeing you today at {{sessionTime}} at {{location}}.

- No solid food after {{solidFoodCutoff}}. Clear liquids only until {{clearLiquidsCutoff}}.
- Have your ride home ready. Do not drive until tomorrow, after a full night's sleep.
- Bring your photo ID and your list of medicines.

Running late or need help? Call us at {{clinicPhone}}.

{{clinicName}}`,
    sms: '{{firstName}}, see you today at {{sessionTime}}, {{clinicName}}. Clear liquids only until {{clearLiquidsCutoff}}. Please have your ride home ready.',
  },
  'checkin-same-day': {
    subject: 'How are you doing, {{firstName}}?',
    body: `Hello {{firstName}},

Thank you for coming in today. We would like to know how you are feeling. The check-in takes about 2 minutes:

{{link}}

Your answers go to your care team at {{clinicName}}. If you would like us to call you, you can say so in the form.

Please rest for the remainder of the day, and remember: no driving until tomorrow, after a full night's sleep.

If you are in crisis, call or text 988, any time. In an emergency, call 911. This form is not for emergencies.

Take care,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}} here. How are you feeling? {{link}}',
  },
  'checkin-next-day': {
    subject: 'A quick check-in from {{clinicName}}',
    body: `Hello {{firstName}},

We hope you slept well. How are you feeling today? Please take 2 minutes to let us know:

{{link}}

If you would like us to call you, you can say so in the form. You can also call us at {{clinicPhone}}.

If you are in crisis, call or text 988, any time. In an emergency, call 911. This form is not for emergencies.

Take care,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}} here. How are you today? {{link}}',
  },
  'checkin-week': {
    subject: 'Your one-week check-in with {{clinicName}}',
    body: `Hello {{firstName}},

It has been a week since your session. This check-in is a little longer than the others, about 5 minutes, with a few more questions about how you have been feeling over the last two weeks. Your answers help {{clinicianName}} plan your care.

{{link}}

If you would like us to call you, you can say so in the form, or call us at {{clinicPhone}}.

If you are in crisis, call or text 988, any time. In an emergency, call 911. This form is not for emergencies.

Thank you,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}}: your 1-week check-in (5 min): {{link}}',
  },
} satisfies ClinicConfigInput['templates']['en'];

const es = {
  'prep-instructions': {
    subject: '{{firstName}}, cómo prepararse para su cita en {{clinicName}}',
    body: `Hola, {{firstName}}:

Su cita en {{clinicName}} es el {{sessionDate}} a las {{sessionTime}}, en {{location}}, con {{clinicianName}}. Por favor, lea estas indicaciones ahora y otra vez el día anterior. Le ayudarán a que su sesión sea segura y cómoda.

Comida y bebida
- Después de las {{solidFoodCutoff}} ({{solidFoodHours}} antes de su sesión), no coma alimentos sólidos.
- Puede tomar líquidos claros, como agua, jugo de manzana, o café o té sin leche, hasta las {{clearLiquidsCutoff}} ({{clearLiquidsTime}} antes de su sesión). Después, no coma ni beba nada.

{{treatmentBlock}}

Volver a casa con seguridad
- Confirme quién lo llevará a casa: un adulto de confianza debe acompañarle después de la sesión. No podrá irse sin compañía ni conducir.

Alcohol y medicamentos
- No tome alcohol durante las 24 horas antes y las 24 horas después de su sesión.
- Antes de su sesión, informe a {{clinicianName}} si toma alguno de estos medicamentos: benzodiazepinas (como lorazepam, clonazepam o alprazolam), lamotrigina, IMAO, estimulantes (como los medicamentos para el TDAH), medicamentos para la presión arterial, opioides (analgésicos fuertes), medicamentos para dormir o cannabis.
- Tome sus medicamentos habituales de la mañana con un sorbo pequeño de agua, salvo que le indiquemos otra cosa.
- No deje de tomar ni cambie ningún medicamento por su cuenta.
- Después de su sesión, no tome opioides, benzodiazepinas ni medicamentos para dormir durante 4 horas, salvo que se lo indiquemos.

Qué traer
- Una identificación con foto
- Una lista de todos los medicamentos y suplementos que toma
- Ropa cómoda y holgada
- Audífonos y un antifaz para dormir, si lo desea

¿Tiene preguntas o necesita cambiar su cita? Llámenos al {{clinicPhone}}.

Si está en crisis, llame o envíe un mensaje de texto al 988 (Línea de Prevención del Suicidio y Crisis; para español, oprima 2), a cualquier hora del día o de la noche. En una emergencia, llame al 911.

Le esperamos,
{{clinicName}}`,
    sms: '{{firstName}}, lea esto antes de su cita en {{clinicName}}: {{link}}',
  },
  'prep-reminder': {
    subject: 'Recordatorio: su cita en {{clinicName}} es {{sessionDay}}',
    body: `Hola, {{firstName}}:

Le recordamos que su cita en {{clinicName}} es {{sessionWhen}}, a las {{sessionTime}}, en {{location}}.

Un breve repaso:
- Después de las {{solidFoodCutoff}}, no coma alimentos sólidos. Solo líquidos claros hasta las {{clearLiquidsCutoff}}; después, nada.
- Tome sus medicamentos habituales de la mañana con un sorbo pequeño de agua, salvo que le hayamos indicado otra cosa.
- No tome alcohol desde ahora hasta 24 horas después de su sesión.
- Confirme quién lo llevará a casa. No conduzca hasta el día siguiente, después de una noche completa de sueño.
- Traiga su identificación con foto y su lista de medicamentos.

Díganos si está listo (transporte a casa, horarios de comida y bebida, medicamentos nuevos); le llevará un minuto: {{link}}

¿Tiene preguntas o necesita cambiar su cita? Llámenos al {{clinicPhone}}.

Si está en crisis, llame o envíe un mensaje de texto al 988, a cualquier hora. En una emergencia, llame al 911.

Hasta pronto,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}}: cita {{sessionDay}}, {{sessionTime}}. Desde las {{solidFoodCutoff}}, nada solido. {{readinessQuestion}}',
  },
  'prep-day-of': {
    subject: 'Le esperamos hoy a las {{sessionTime}}, {{firstName}}',
    body: `Hola, {{firstName}}:

Le esperamos hoy a las {{sessionTime}} en {{location}}.

- Después de las {{solidFoodCutoff}}, no coma alimentos sólidos. Solo líquidos claros hasta las {{clearLiquidsCutoff}}; después, nada.
- Confirme quién lo llevará a casa. No conduzca hasta mañana, después de una noche completa de sueño.
- Traiga su identificación con foto y su lista de medicamentos.

¿Llega tarde o necesita ayuda? Llámenos al {{clinicPhone}}.

{{clinicName}}`,
    // The cutoff ends the text: "a.m." would otherwise meet a full stop.
    sms: '{{firstName}}, {{clinicName}} le espera hoy, {{sessionTime}}. Confirme quien lo llevara a casa. Solo liquidos claros hasta las {{clearLiquidsCutoff}}',
  },
  'checkin-same-day': {
    subject: '¿Cómo se encuentra, {{firstName}}?',
    body: `Hola, {{firstName}}:

Gracias por venir hoy. Queremos saber cómo se siente. Responder le tomará unos 2 minutos:

{{link}}

Sus respuestas llegan a su equipo de atención en {{clinicName}}. Si quiere que le llamemos, puede indicarlo en el formulario.

Descanse el resto del día y recuerde: no conduzca hasta mañana, después de una noche completa de sueño.

Si está en crisis, llame o envíe un mensaje de texto al 988, a cualquier hora. En una emergencia, llame al 911. Este formulario no es para emergencias.

Cuídese,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}}: ¿qué tal se siente? {{link}}',
  },
  'checkin-next-day': {
    subject: 'Un breve seguimiento de {{clinicName}}',
    body: `Hola, {{firstName}}:

Esperamos que haya descansado bien. ¿Cómo se siente hoy? Tómese 2 minutos para contarnos:

{{link}}

Si quiere que le llamemos, puede indicarlo en el formulario. También puede llamarnos al {{clinicPhone}}.

Si está en crisis, llame o envíe un mensaje de texto al 988, a cualquier hora. En una emergencia, llame al 911. Este formulario no es para emergencias.

Cuídese,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}}: ¿qué tal hoy? Cuéntenos: {{link}}',
  },
  'checkin-week': {
    subject: 'Su seguimiento de una semana con {{clinicName}}',
    body: `Hola, {{firstName}}:

Ha pasado una semana desde su sesión. Este cuestionario es un poco más largo que los anteriores (unos 5 minutos): incluye algunas preguntas más sobre cómo se ha sentido en las últimas dos semanas. Sus respuestas ayudan a {{clinicianName}} a planificar su atención.

{{link}}

Si quiere que le llamemos, puede indicarlo en el formulario o llamarnos al {{clinicPhone}}.

Si está en crisis, llame o envíe un mensaje de texto al 988, a cualquier hora. En una emergencia, llame al 911. Este formulario no es para emergencias.

Gracias,
{{clinicName}}`,
    sms: '{{firstName}}, {{clinicName}}: cuestionario de 1 semana (5 min) {{link}}',
  },
} satisfies ClinicConfigInput['templates']['es'];

const clinicConfig = {
  clinic: {
    name: 'Riverside Clinic',
    phone: '+1 555 010 0100',
    timeZone: 'America/New_York',
    address: '120 Riverside Drive, Suite 200, Springfield',
  },
  sender: { email: 'care@example-clinic.org' },
  links: { baseUrl: 'https://care.example-clinic.org' },
  preparation: {
    byTreatment: {
      // IV, IM, KAP and any other treatment (DESIGN section 3).
      default: {
        en: `Your visit
- Plan to be with us for about {{visitLength}}: your session and about an hour of recovery.
- Do not drive, ride a bike or use machinery for at least 24 hours, and not before a full night's sleep.
- Do not make important decisions or sign legal papers for 24 hours.
- Wear a top with sleeves that roll up above the elbow.`,
        es: `Su visita
- Calcule estar con nosotros unas {{visitLength}}: su sesión y aproximadamente una hora de recuperación.
- No conduzca, no ande en bicicleta ni use maquinaria durante al menos 24 horas, y no antes de una noche completa de sueño.
- No tome decisiones importantes ni firme documentos legales durante 24 horas.
- Use una blusa o camisa con mangas que se puedan subir por encima del codo.`,
      },
      // Spravato REMS: observation of at least 2 hours, blood pressure before and about 40 minutes after.
      'esketamine-nasal': {
        en: `Your nasal spray visit
- You will stay with us for at least 2 hours after your dose, until we see you are ready to leave.
- We will check your blood pressure before your dose and again about 40 minutes after it.
- If you use a nasal steroid or decongestant spray, use it at least 1 hour before your visit.
- Do not drive or use machinery until the next day, after a restful night's sleep.`,
        es: `Su visita con aerosol nasal
- Se quedará con nosotros al menos 2 horas después de su dosis, hasta que veamos que está listo/a para irse.
- Le tomaremos la presión arterial antes de su dosis y otra vez unos 40 minutos después.
- Si usa un aerosol nasal con esteroide o descongestionante, úselo al menos 1 hora antes de su visita.
- No conduzca ni use maquinaria hasta el día siguiente, después de una noche de sueño reparador.`,
      },
    },
    fasting: {
      default: { solidFoodHours: 6, clearLiquidsMinutes: 120 },
      // The nasal spray needs a shorter fast than IV or IM ketamine.
      'esketamine-nasal': { solidFoodHours: 2, clearLiquidsMinutes: 30 },
    },
  },
  staff: {
    alertEmails: ['on-call@example-clinic.org'],
    escalationEmails: ['clinical-lead@example-clinic.org'],
    digestEmail: 'care-team@example-clinic.org',
    frontDeskEmails: ['front-desk@example-clinic.org'],
  },
  templates: { en, es },
  // Booking webhooks (README "Booking webhooks"): each clinic names its own event types and codes.
  hooks: {
    calcom: {
      eventTypes: {
        'ketamine-infusion': { treatment: 'iv-ketamine' },
        'ketamine-im': { treatment: 'im-ketamine' },
        spravato: { treatment: 'esketamine-nasal', durationMinutes: 120 },
        'kap-session': { treatment: 'kap' },
      },
    },
    fhir: {
      treatments: {
        'ketamine-iv': 'iv-ketamine',
        'ketamine-im': 'im-ketamine',
        esketamine: 'esketamine-nasal',
        kap: 'kap',
      },
    },
  },
} satisfies ClinicConfigInput;

export default clinicConfig;
