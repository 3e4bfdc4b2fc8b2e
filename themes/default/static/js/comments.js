/* Loads the comments embed of a post page when [comments] load is "lazy" (the comments
   area scrolls near the viewport) or "click" (the reader presses the button). Until then
   the provider's markup sits in an inert <template>, so no request reaches the provider.
   Also keeps Disqus and Remark42 in step with the reader's light/dark setting. */
(function () {
  "use strict";

  function activate(loader) {
    if (loader.getAttribute("data-loaded")) return;
    loader.setAttribute("data-loaded", "1");
    var template = loader.querySelector("template");
    var embed = document.createElement("div");
    embed.className = "comments-embed";
    embed.setAttribute("data-provider", loader.getAttribute("data-provider"));
    embed.appendChild(document.importNode(template.content, true));
    // Scripts parsed inside a <template> never run: replace each with a fresh one that will,
    // keeping document order for scripts that must load in turn (Cusdis' language file).
    embed.querySelectorAll("script").forEach(function (old) {
      var script = document.createElement("script");
      for (var i = 0; i < old.attributes.length; i++) {
        script.setAttribute(old.attributes[i].name, old.attributes[i].value);
      }
      if (!old.hasAttribute("async")) script.async = false;
      script.text = old.text;
      old.parentNode.replaceChild(script, old);
    });
    loader.querySelectorAll(".comments-button, .comments-note").forEach(function (node) {
      node.parentNode.removeChild(node);
    });
    loader.appendChild(embed);
  }

  document.querySelectorAll(".comments-loader").forEach(function (loader) {
    var mode = loader.getAttribute("data-load");
    if (mode === "click") {
      var button = loader.querySelector(".comments-button");
      button.addEventListener("click", function () {
        activate(loader);
        var heading = document.getElementById("comments-heading");
        if (heading) heading.setAttribute("tabindex", "-1"), heading.focus();
      });
    } else if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.disconnect();
            activate(loader);
          }
        });
      }, { rootMargin: "400px 0px" });
      observer.observe(loader);
    } else {
      activate(loader);
    }
  });

  // giscus, utterances and Cusdis follow prefers-color-scheme by themselves.
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  if (dark && dark.addEventListener) {
    dark.addEventListener("change", function (event) {
      if (window.REMARK42 && window.REMARK42.changeTheme) {
        window.REMARK42.changeTheme(event.matches ? "dark" : "light");
      }
      if (window.DISQUS && window.disqus_config) {
        window.DISQUS.reset({ reload: true, config: window.disqus_config });
      }
    });
  }
})();
