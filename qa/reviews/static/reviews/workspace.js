// The reviewer workspace: waveform player, transcript that follows playback, pinned comments.
(function () {
  "use strict";
  const root = document.querySelector(".qa-workspace");
  const audio = document.getElementById("qa-audio");
  if (!root || !audio) return;

  const formatTime = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  };

  // The <audio> element streams with Range requests, so seeking works on long files.
  // The waveform comes from server-side peaks, so the browser never downloads and
  // decodes the whole recording just to draw it (falls back to that if peaks fail).
  const options = {
    container: "#qa-waveform",
    media: audio,
    height: 96,
    waveColor: "#9db7c6",
    progressColor: "#1f6f8b",
    cursorColor: "#ba2121",
    normalize: true,
    dragToSeek: true,
    cspNonce: root.dataset.cspNonce,  // its shadow-DOM <style> passes the Content-Security-Policy
  };
  const ws = WaveSurfer.create(options);
  fetch(root.dataset.waveformUrl, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("waveform " + r.status))))
    .then((data) => ws.load(root.dataset.audioUrl, data.peaks, data.duration))
    .catch(() => ws.load(root.dataset.audioUrl));
  window.qaWorkspace = { wavesurfer: ws, audio: audio };

  const seek = (seconds) => {
    ws.setTime(Math.max(0, seconds));
  };
  const currentTime = () => ws.getCurrentTime();

  const playButton = document.getElementById("qa-play");
  playButton.addEventListener("click", () => ws.playPause());
  ws.on("play", () => { playButton.textContent = "Pause"; });
  ws.on("pause", () => { playButton.textContent = "Play"; });
  document.getElementById("qa-back").addEventListener("click", () => seek(currentTime() - 5));
  document.getElementById("qa-forward").addEventListener("click", () => seek(currentTime() + 5));
  document.getElementById("qa-rate").addEventListener("change", (e) => ws.setPlaybackRate(parseFloat(e.target.value)));

  // Transcript: highlight the line being played; a click jumps there.
  const lines = Array.from(document.querySelectorAll(".qa-line")).map((el) => ({
    el, start: parseFloat(el.dataset.start), end: parseFloat(el.dataset.end),
  }));
  let current = null;
  const timeLabel = document.getElementById("qa-time");
  const follow = (t) => {
    timeLabel.textContent = formatTime(t);
    // The last line that has started; overlapping speech highlights the latest speaker.
    let found = null;
    for (const line of lines) {
      if (line.start <= t + 0.05 && t < line.end) found = line;
    }
    if (found === current) return;
    if (current) current.el.classList.remove("qa-current");
    current = found;
    if (current) {
      current.el.classList.add("qa-current");
      const box = current.el.parentElement;
      if (current.el.offsetTop < box.scrollTop || current.el.offsetTop > box.scrollTop + box.clientHeight - 30) {
        box.scrollTop = current.el.offsetTop - box.offsetTop - 20;
      }
    }
  };
  ws.on("timeupdate", follow);
  audio.addEventListener("seeked", () => follow(audio.currentTime));
  for (const line of lines) {
    const jump = () => { seek(line.start); follow(line.start); };
    line.el.addEventListener("click", jump);
    line.el.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); jump(); } });
  }

  // Comments pinned to a time: the pin stores the player's time, the link jumps back to it.
  const showPin = (link) => {
    const input = document.getElementById(link.dataset.source);
    if (input && input.value !== "") {
      link.hidden = false;
      link.textContent = "at " + formatTime(parseFloat(input.value)) + " ✕";
      link.title = "Jump to " + formatTime(parseFloat(input.value)) + " (Alt-click to unpin)";
    } else {
      link.hidden = true;
    }
  };
  document.querySelectorAll(".qa-pinned").forEach((link) => {
    showPin(link);
    link.addEventListener("click", (e) => {
      e.preventDefault();
      const input = document.getElementById(link.dataset.source);
      if (e.altKey) { input.value = ""; showPin(link); return; }
      seek(parseFloat(input.value));
    });
  });
  document.querySelectorAll(".qa-pin").forEach((button) => {
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.target);
      input.value = currentTime().toFixed(2);
      showPin(document.querySelector('.qa-pinned[data-source="' + button.dataset.target + '"]'));
    });
  });
})();
