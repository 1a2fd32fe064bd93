/**
 * What the guided tour says, and when (milliseconds after it starts). Each moment is introduced in one or
 * two plain sentences before it happens; the tour (app/demo/tour.ts) acts at the same step.
 */

export type TourAct = 'none' | 'deadline_due' | 'raise_concern';

export interface TourStep {
  id: string;
  at: number;
  act: TourAct;
  lines: string[];
}

const rule = (title: string) => `━━ SEND Hub tour: ${title} ${'━'.repeat(Math.max(4, 56 - title.length))}`;

/** Demo ladder timers: 1 minute per step, re-sent every 5 minutes at the top (real schools: docs/safeguarding.md). */
export const DEMO_LADDER = {
  ackMinutes: 1,
  ackMinutesImmediate: 1,
  resendMinutes: 5,
  resendMinutesImmediate: 5,
};

export const TOUR_STEPS: TourStep[] = [
  {
    id: 'welcome',
    at: 0,
    act: 'none',
    lines: [
      rule('the first five minutes'),
      'Elmfield Primary is a made-up school. Over the next five minutes four things happen here, as they would in Teams or Slack; you answer as the person each message is for.',
      '1 of 4 · Within a minute, Priya Shah, the SENDCo, gets a reminder of a Team Around the Child meeting. Type `as sendco@elmfield.example` to be her, then `done rN` (N is the number in the brackets of her message).',
      'The demo school’s other cases have statutory dates this week too, so a few nudges arrive at once; they are real dates, computed from the cases (docs/deadlines.md).',
      'Among them, Sian Pryce, the hospital school’s educational care coordinator, follows R.M. (Y4), a pupil in hospital (case DEMO-HN-1: education to arrange by the 15th school day of absence, the spells of absence this school year added up): `as s.pryce@hhts.example`, then `cases` or `due`.',
      'Type `staff` to see who is who, `help` for every command, `tour` to start again.',
    ],
  },
  {
    id: 'deadline',
    at: 60_000,
    act: 'deadline_due',
    lines: [
      rule('2 of 4, a statutory deadline'),
      'The demo EHC needs assessment request reached the local authority six weeks and a day ago: its decision whether to assess was due yesterday (SEND Regulations 2014 reg 5(1), https://www.legislation.gov.uk/uksi/2014/1530/regulation/5: the LA must decide and notify). The duty is the LA’s, so the school is never nudged or escalated as if it were its own; Priya holds the case at school and is told in a moment that the LA’s date has passed, so she can chase them: `done rN` records the decision once the LA has made it.',
    ],
  },
  {
    id: 'concern-intro',
    at: 120_000,
    act: 'none',
    lines: [
      rule('3 of 4, a safeguarding concern'),
      'In a minute, Ellie Marsh, a teacher, raises a concern about a pupil. You are Tom Reed, the DSL: type `as dsl@elmfield.example`, then `acknowledge rN`.',
      'Until someone acknowledges it, the concern climbs the rota one step a minute in this demo: the deputy DSL, then Priya, then the head (a real school waits 15 minutes a step, 5 with immediate risk; docs/safeguarding.md).',
    ],
  },
  { id: 'concern', at: 180_000, act: 'raise_concern', lines: [] },
  {
    id: 'notes-intro',
    at: 210_000,
    act: 'none',
    lines: [
      rule('4 of 4, meeting notes'),
      'A demo TAC meeting ends in a minute. Priya, its note-taker, is then asked for the notes: as Priya (`as sendco@elmfield.example`), type `tac` and answer the questions; each action you give an owner and a date becomes a nudge to that person.',
    ],
  },
  {
    id: 'end',
    at: 300_000,
    act: 'none',
    lines: [
      rule('that was the tour'),
      'Those were the hub’s jobs: meeting reminders, statutory deadline nudges, the safeguarding ladder and TAC notes with their actions. `tour` plays it again; `due` lists what is coming; README.md says how to connect Teams or Slack.',
    ],
  },
];

/** When the TAC meeting of moment 4 ends (after the tour starts). */
export const NOTES_MEETING_ENDS_AT = 270_000;
