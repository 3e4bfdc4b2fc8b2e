// The search page: Pagefind's own UI over the index `blog build` writes into /pagefind/.
// Only loaded by /search/, which exists when [search] enabled = true. The header's search
// box sends its words here as ?q=...: they are searched at once.
(function () {
  if (!document.getElementById("search") || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({ element: "#search", showSubResults: true, showImages: false, resetStyles: false });
  // Pagefind's box is named only by its placeholder; give it a real accessible name.
  var input = document.querySelector("#search input[type=text], #search input[type=search]");
  if (input) input.setAttribute("aria-label", "Search the posts");
  var words = new URLSearchParams(window.location.search).get("q");
  if (words) ui.triggerSearch(words);
})();
