// The reviewer workspace: waveform player, transcript that follows playback, pinned comments.
(function () {
  "use strict";
  const root = document.querySelector(".qa-workspace");
  const audio = document.getElementById("qa-audio");
  if (!root || !audio) return;

  // Waveform, controls and the transcript that follows playback: the shared player (static/call-player.js).
  const formatTime = CallPlayer.formatTime;
  const player = CallPlayer.attach({
    waveform: "#qa-waveform",
    audio: audio,
    audioUrl: root.dataset.audioUrl,
    waveformUrl: root.dataset.waveformUrl,
    play: document.getElementById("qa-play"),
    back: document.getElementById("qa-back"),
    forward: document.getElementById("qa-forward"),
    rate: document.getElementById("qa-rate"),
    time: document.getElementById("qa-time"),
    lines: document.querySelectorAll(".qa-line"),
    currentClass: "qa-current",
    cspNonce: root.dataset.cspNonce,  // the waveform's shadow-DOM <style> passes the Content-Security-Policy
  });
  window.qaWorkspace = { wavesurfer: player.wavesurfer, audio: audio };
  const seek = player.seek;
  const currentTime = player.currentTime;

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
