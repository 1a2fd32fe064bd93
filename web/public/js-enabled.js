// govuk-frontend's components style themselves for script only when the body has these classes. Its own
// template sets them with an inline script, which the hub's Content-Security-Policy refuses.
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
