/**
 * The fictional students of the demo school and the test fixtures. The suite-wide check
 * (test/support/no-names-global-setup.ts) fails the run if any of these names appears in a log line or a
 * channel (non-private) message written by any test hub. Add the names of any new fixture students here.
 */
export const testStudentNames: readonly { givenName: string; familyName: string }[] = [
  // app/demo/demo-school.ts
  { givenName: 'Amelia', familyName: 'Brook' },
  { givenName: 'Jayden', familyName: 'Thorne' },
  { givenName: 'Layla', familyName: 'Winters' },
  { givenName: 'Oscar', familyName: 'Kendrick' },
  { givenName: 'Ruby', familyName: 'Marlowe' },
  // test/safeguarding/support.ts
  { givenName: 'Zephyrine', familyName: 'Quillborough' },
  { givenName: 'Barnaby', familyName: 'Wexcombe' },
  // test/integrations/ics-sync.test.ts
  { givenName: 'Jordan', familyName: 'Pike' },
  // test/safeguarding/not-on-roll*.ts, scenario-hospital-ecc (pupils not on the roll: the name as typed)
  { givenName: 'Kai', familyName: 'Hospital-Patient' },
  // test/deadlines/scenario-la-coordinator.e2e.test.ts (40 generated pupils: each given name with each family name)
  { givenName: 'Marisol', familyName: 'Ashcombe' },
  { givenName: 'Thaddeus', familyName: 'Brackley' },
  { givenName: 'Ingrid', familyName: 'Corrigan' },
  { givenName: 'Cosimo', familyName: 'Dunmore' },
  { givenName: 'Peregrine', familyName: 'Elsworth' },
  { givenName: 'Marisol', familyName: 'Fairweather' },
  { givenName: 'Marisol', familyName: 'Glenister' },
  { givenName: 'Marisol', familyName: 'Hollinsby' },
  // test/web/pdf-names.test.ts (names as written in the school's roll)
  { givenName: 'Łucja', familyName: 'Wiśniewska' },
  { givenName: 'Şükrü', familyName: 'Öztürk' },
  { givenName: 'Ελένη', familyName: 'Παπαδοπούλου' },
  { givenName: 'Анастасия', familyName: 'Иванова' },
  { givenName: 'Nguyễn', familyName: 'Thị Ánh' },
  { givenName: 'Zoë', familyName: 'Ó Briain' },
  { givenName: 'مريم', familyName: 'حسن' },
  // test/data-protection
  { givenName: 'Zed', familyName: 'Quill' },
  { givenName: 'Sam', familyName: 'Vale' },
];

/** Every given and family name, for whole-word search. */
export const testStudentNameWords: readonly string[] = [
  ...new Set(testStudentNames.flatMap((n) => [n.givenName, n.familyName])),
];
