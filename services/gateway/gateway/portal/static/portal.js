/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // phone-width menu toggle
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("is-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // a link to a section inside a closed <details> opens it (e.g. back to the pathway just booked)
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
    }

    // move focus to an error summary so screen-reader and keyboard users hear it first
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }

    // confirm destructive actions
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });

    // pathway calculator: choosing a role submits the GET form; ticks update the total at once
    var calc = document.querySelector("[data-calculator]");
    if (calc) {
      var role = calc.querySelector("[data-autosubmit]");
      if (role) { role.addEventListener("change", function () { calc.submit(); }); }
      var total = document.querySelector("[data-total]");
      calc.querySelectorAll("input[name=have]").forEach(function (box) {
        box.addEventListener("change", function () {
          var row = document.querySelector("tr[data-code='" + box.value + "'] td[data-row-cost]");
          if (!row || !total) { return; }
          var cost = parseInt(box.getAttribute("data-cost"), 10) || 0;
          row.setAttribute("data-row-cost", box.checked ? "0" : String(cost));
          row.textContent = box.checked ? "already done" : pounds(cost);
          row.parentNode.classList.toggle("is-done", box.checked);
          var sum = 0;
          document.querySelectorAll("td[data-row-cost]").forEach(function (td) {
            sum += parseInt(td.getAttribute("data-row-cost"), 10) || 0;
          });
          total.textContent = pounds(sum);
        });
      });
    }
  });

  // the printable invoice's button (no inline script: the CSP allows only this file)
  document.addEventListener("click", function (e) {
    if (e.target && e.target.matches && e.target.matches("[data-print]")) { window.print(); }
  });

  function pounds(pence) {
    var whole = Math.floor(Math.abs(pence) / 100), p = Math.abs(pence) % 100;
    return (pence < 0 ? "-" : "") + "£" + whole.toLocaleString("en-GB") + (p ? "." + String(p).padStart(2, "0") : "");
  }
})();
