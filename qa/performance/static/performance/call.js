// The agent's call page: click a transcript line (or a pinned comment) to hear it; the line being heard is marked.
(function () {
  "use strict";
  const audio = document.getElementById("call-audio");
  const lines = Array.from(document.querySelectorAll("#transcript .line"));
  if (!audio) return;
  function seek(seconds) {
    audio.currentTime = seconds;
    audio.play().catch(function () { /* the browser may want a gesture first */ });
  }
  lines.forEach(function (line) {
    const go = function () { seek(parseFloat(line.dataset.start)); };
    line.addEventListener("click", go);
    line.addEventListener("keydown", function (event) { if (event.key === "Enter") go(); });
  });
  document.querySelectorAll("button[data-seek]").forEach(function (button) {
    button.addEventListener("click", function () { seek(parseFloat(button.dataset.seek)); });
  });
  audio.addEventListener("timeupdate", function () {
    const now = audio.currentTime;
    lines.forEach(function (line) {
      line.classList.toggle("playing", now >= parseFloat(line.dataset.start) && now < parseFloat(line.dataset.end));
    });
  });
})();
