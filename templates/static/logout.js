// The signed-out page after a front-channel logout (OpenID Connect
// Front-Channel Logout 1.0): once every client's logout frame has loaded,
// or data-wait seconds have passed, go on to the post-logout redirect URI
// (the "return" link), if there is one. A file rather than inline script,
// so that the page's Content-Security-Policy needs only script-src 'self'.
(function () {
  "use strict";
  var box = document.getElementById("frontchannel");
  if (!box) { return; }
  var frames = box.querySelectorAll("iframe[data-src]");
  var waiting = frames.length;
  var link = document.getElementById("return");
  var done = false;
  function next() {
    if (done) { return; }
    done = true;
    document.documentElement.setAttribute("data-frontchannel", "done");
    if (link) { window.location.replace(link.href); }
  }
  function loaded() {
    waiting -= 1;
    if (waiting <= 0) { next(); }
  }
  // The frames get their src only here, after the listener: a frame that
  // finished before this script ran would never be counted.
  for (var i = 0; i < frames.length; i++) {
    frames[i].addEventListener("load", loaded);
    frames[i].src = frames[i].getAttribute("data-src");
  }
  var wait = parseInt(box.getAttribute("data-wait"), 10);
  window.setTimeout(next, (wait > 0 ? wait : 5) * 1000);
  if (waiting <= 0) { next(); }
})();
