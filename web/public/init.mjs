// Starts govuk-frontend's components (menu toggle, notification banners, error summary focus...).
import { initAll } from '/assets/govuk/govuk-frontend.min.js';

initAll();
