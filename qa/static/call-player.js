// The call player shared by the reviewer workspace and the client portal: a waveform drawn from
// server-side peaks, play/skip/speed controls, and a transcript that follows playback and seeks on click.
// Pages pass URLs in data- attributes; no inline script anywhere (a strict CSP stays possible).
(function () {
  "use strict";

  const formatTime = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  };

  // options: waveform (selector), audio (<audio>), audioUrl, waveformUrl, cspNonce (the page's), and optional
  // elements play, back, forward, rate (<select>), time; lines (elements with data-start/data-end); currentClass.
  function attach(options) {
    const audio = options.audio;
    // The <audio> element streams with Range requests, so seeking works on long files. The waveform
    // comes from server-side peaks, so the browser never downloads and decodes the whole recording
    // just to draw it (falls back to that if the peaks fail).
    const ws = WaveSurfer.create({
      container: options.waveform,
      media: audio,
      height: options.height || 96,
      waveColor: "#9db7c6",
      progressColor: "#1f6f8b",
      cursorColor: "#ba2121",
      normalize: true,
      dragToSeek: true,
      cspNonce: options.cspNonce,  // its shadow-DOM <style> passes the Content-Security-Policy
    });
    fetch(options.waveformUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("waveform " + r.status))))
      .then((data) => ws.load(options.audioUrl, data.peaks, data.duration))
      .catch(() => ws.load(options.audioUrl));

    const seek = (seconds) => ws.setTime(Math.max(0, seconds));
    const currentTime = () => ws.getCurrentTime();

    if (options.play) {
      options.play.addEventListener("click", () => ws.playPause());
      ws.on("play", () => { options.play.textContent = "Pause"; });
      ws.on("pause", () => { options.play.textContent = "Play"; });
    }
    if (options.back) options.back.addEventListener("click", () => seek(currentTime() - 5));
    if (options.forward) options.forward.addEventListener("click", () => seek(currentTime() + 5));
    if (options.rate) options.rate.addEventListener("change", (e) => ws.setPlaybackRate(parseFloat(e.target.value)));

    // Transcript: highlight the line being played; a click (or Enter) jumps there.
    const currentClass = options.currentClass || "is-current";
    const lines = Array.from(options.lines || []).map((el) => ({
      el, start: parseFloat(el.dataset.start), end: parseFloat(el.dataset.end),
    }));
    let current = null;
    const follow = (t) => {
      if (options.time) options.time.textContent = formatTime(t);
      // The last line that has started; overlapping speech highlights the latest speaker.
      let found = null;
      for (const line of lines) {
        if (line.start <= t + 0.05 && t < line.end) found = line;
      }
      if (found === current) return;
      if (current) current.el.classList.remove(currentClass);
      current = found;
      if (current) {
        current.el.classList.add(currentClass);
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
    return { wavesurfer: ws, audio, seek, currentTime };
  }

  window.CallPlayer = { attach, formatTime };
})();
