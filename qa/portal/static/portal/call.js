// The portal's call page: the shared player (static/call-player.js) on the recording the user may hear.
(function () {
  "use strict";
  const root = document.querySelector(".portal-player");
  const audio = document.getElementById("portal-audio");
  if (!root || !audio) return;
  window.portalPlayer = CallPlayer.attach({
    waveform: "#portal-waveform",
    audio: audio,
    audioUrl: root.dataset.audioUrl,
    waveformUrl: root.dataset.waveformUrl,
    play: document.getElementById("portal-play"),
    back: document.getElementById("portal-back"),
    forward: document.getElementById("portal-forward"),
    rate: document.getElementById("portal-rate"),
    time: document.getElementById("portal-time"),
    lines: document.querySelectorAll(".portal-line"),
    currentClass: "is-current",
    cspNonce: root.dataset.cspNonce,  // the waveform's shadow-DOM <style> passes the Content-Security-Policy
  });
})();
