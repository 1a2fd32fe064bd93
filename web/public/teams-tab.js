// The Teams personal tab's sign-in (web/pages/auth/tab.njk): ask Teams for a token for SEND Hub's app
// registration and post it to /tab/session, which checks it against Entra's keys and opens a session.
(() => {
  const status = document.getElementById('tab-status');
  const form = document.getElementById('tab-sign-in');
  const outside = document.getElementById('tab-outside');
  const say = (text) => {
    if (status) status.textContent = text;
  };
  const teams = window.microsoftTeams;
  if (!teams || !form) {
    say('SEND Hub could not start its Teams sign-in.');
    return;
  }
  teams.app
    .initialize()
    .then(() => teams.authentication.getAuthToken())
    .then((token) => {
      form.elements.token.value = token;
      form.submit();
    })
    .catch((err) => {
      const msg = String(err?.message || err);
      if (/initialize|timed out|Frameless|host/i.test(msg)) {
        say('This page is SEND Hub’s Teams tab.');
        if (outside) outside.hidden = false;
      } else {
        say(
          'Teams could not sign you in to SEND Hub. Close and reopen the tab, or ask your SEND Hub administrator.',
        );
      }
    });
})();
