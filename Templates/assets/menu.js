// On a phone the chapter list folds behind a Menu button, so a page opens on its title rather
// than on the list (site.css shows the button below 50rem). Without this script the list stays
// open, as on a wide screen: nothing is ever out of reach. A classic script: works from file://.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) return;
  document.documentElement.classList.add("has-menu");
  button.hidden = false;
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    set(open);
    if (open) {
      var search = document.getElementById("search");
      if (search && window.matchMedia("(pointer: fine)").matches) search.focus();
    }
  });
  // Escape closes it and gives the focus back to the button, once search has spent its own
  // Escapes (clearing the box, leaving the results).
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.defaultPrevented && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
