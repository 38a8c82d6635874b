/* The NHS.UK frontend's JavaScript (vendored ES module): error summaries and success banners take
   focus, skip links move focus, radios and checkboxes reveal their conditional parts, buttons guard
   against double submits. Only browsers that run ES modules get here, which is what
   "nhsuk-frontend-supported" means (the frontend's own template sets it with an inline script,
   which the CSP forbids). File uploads stay plain inputs: the enhanced drop zone replaces the
   input's id and its button's name does not start with the visible label (WCAG 2.5.3). */
import {
  initButtons,
  initCheckboxes,
  initErrorSummary,
  initHeader,
  initNotificationBanners,
  initRadios,
  initSkipLinks
} from "../vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
[initSkipLinks, initHeader, initButtons, initRadios, initCheckboxes, initErrorSummary, initNotificationBanners].forEach(
  function (init) { init(); }
);
