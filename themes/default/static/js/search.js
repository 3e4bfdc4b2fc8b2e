// The search page: Pagefind's own UI over the index `blog build` writes into /pagefind/.
// Only loaded by /search/, which exists when [search] enabled = true.
(function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  new PagefindUI({ element: "#search", showSubResults: true, showImages: false, resetStyles: false });
})();
