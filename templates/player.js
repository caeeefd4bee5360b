/* The episode player (episode and embed pages).

   Controls that know the episode's length before any audio is fetched: the
   <audio> keeps preload="none" (apps' statistics count a preload as a download),
   so the browser's own controls would read 0:00 / 0:00 until played. Without
   script those native controls remain.

   #t=SECONDS links (chapters, transcript lines, search results) seek the player;
   so does #t= in the address. The transcript line being heard is marked. */
(function () {
  "use strict";
  var player = document.getElementById("player");
  var box = document.getElementById("controls");
  if (!player) { return; }
  var known = parseFloat(player.getAttribute("data-duration")) || 0;
  var pending = null;  /* a position chosen before the audio's metadata arrived */
  var RATES = [1, 1.25, 1.5, 2];

  /* Positions round down, as the page's stamps do; a length rounds, as the page's does. */
  function clock(seconds) {
    var s = Math.max(0, seconds), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    var ss = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }
  function length() {
    return isFinite(player.duration) && player.duration > 0 ? player.duration : known;
  }
  function position() { return pending !== null ? pending : player.currentTime; }

  var toggle, seekbar, now, total, rate;
  function show() {
    if (!box) { return; }
    var t = position(), d = length();
    now.textContent = clock(Math.floor(t));
    total.textContent = clock(Math.round(d));
    seekbar.max = String(d);
    if (document.activeElement !== seekbar) { seekbar.value = String(t); }
    seekbar.setAttribute("aria-valuetext", now.textContent + " of " + total.textContent);
    toggle.classList.toggle("playing", !player.paused);
    toggle.setAttribute("aria-label", player.paused ? "Play" : "Pause");
    rate.textContent = player.playbackRate + "×";
  }
  function go(t) {
    t = Math.max(0, length() ? Math.min(t, length()) : t);
    if (player.readyState === 0) {
      pending = t;  /* nothing loaded (preload="none"): applied when the metadata arrives */
    } else {
      player.currentTime = t;
    }
    show();
  }
  player.addEventListener("loadedmetadata", function () {
    if (pending !== null) { player.currentTime = pending; pending = null; }
    show();
  });
  ["play", "pause", "timeupdate", "durationchange", "ratechange", "seeked"].forEach(
    function (name) { player.addEventListener(name, show); });

  if (box) {
    toggle = box.querySelector(".toggle");
    seekbar = box.querySelector(".seek");
    now = box.querySelector(".now");
    total = box.querySelector(".total");
    rate = box.querySelector(".rate");
    toggle.addEventListener("click", function () {
      if (player.paused) { player.play().catch(function () {}); } else { player.pause(); }
    });
    seekbar.addEventListener("input", function () {
      now.textContent = clock(Math.floor(parseFloat(seekbar.value)));
    });
    seekbar.addEventListener("change", function () { go(parseFloat(seekbar.value)); });
    rate.addEventListener("click", function () {
      player.playbackRate = RATES[(RATES.indexOf(player.playbackRate) + 1) % RATES.length];
    });
    player.controls = false;
    box.hidden = false;
    show();
  }

  var cues = Array.prototype.slice.call(document.querySelectorAll("a.cue"));
  var starts = cues.map(function (a) { return parseFloat(a.getAttribute("href").slice(3)); });
  var current = null;
  function mark(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    var cue = found >= 0 ? cues[found] : null;
    if (cue === current) { return cue; }
    if (current) { current.classList.remove("now"); current.removeAttribute("aria-current"); }
    if (cue) { cue.classList.add("now"); cue.setAttribute("aria-current", "time"); }
    current = cue;
    return cue;
  }
  function seek(hash, play, reveal) {
    var m = /^#t=(\d+(?:\.\d+)?)$/.exec(hash || "");
    if (!m) { return false; }
    var t = parseFloat(m[1]);
    go(t);
    var cue = mark(t);
    if (reveal && cue) {
      var details = cue.closest("details");
      if (details) { details.open = true; }
      cue.scrollIntoView({ block: "center" });
    }
    if (play) { player.play().catch(function () {}); }
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#t="]') : null;
    if (link && seek(link.getAttribute("href"), true, false)) {
      event.preventDefault();
      history.replaceState(null, "", link.getAttribute("href"));
    }
  });
  player.addEventListener("timeupdate", function () { mark(player.currentTime); });
  window.addEventListener("hashchange", function () { seek(location.hash, false, true); });
  seek(location.hash, false, true);
})();
