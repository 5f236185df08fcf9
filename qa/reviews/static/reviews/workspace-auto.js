// Auto-QA in the reviewer workspace: mark the automatically chosen answers, say whether the reviewer kept
// or overrode each, and make each evidence quote seek the player. Data: the json_script "qa-auto-answers".
(function () {
  "use strict";
  const data = document.getElementById("qa-auto-answers");
  if (!data) return;
  const answers = JSON.parse(data.textContent);

  Object.keys(answers).forEach((pk) => {
    const auto = answers[pk];
    const box = document.getElementById("criterion-" + pk);
    if (!box) return;
    const inputs = Array.from(box.querySelectorAll('input[name="c' + pk + '"]'));
    const state = box.querySelector(".qa-auto-state");
    inputs.forEach((input) => {
      if (auto.value !== "" && input.value === auto.value) {
        const label = input.closest("label");
        if (label) {
          label.classList.add("qa-auto-choice");
          label.title = "The automatic answer";
        }
      }
    });
    const update = () => {
      const checked = inputs.find((input) => input.checked);
      state.classList.remove("qa-overridden");
      if (!checked) {
        state.textContent = auto.value === "" ? "· not pre-selected: answer it yourself" : "· no answer chosen";
      } else if (auto.value === "") {
        state.textContent = "· answered by you";
      } else if (checked.value === auto.value) {
        state.textContent = "· kept";
      } else {
        state.textContent = "· overridden";
        state.classList.add("qa-overridden");
      }
    };
    inputs.forEach((input) => input.addEventListener("change", update));
    update();
  });

  // Evidence quotes: a click plays the call from the quote (the transcript follows the player).
  document.querySelectorAll(".qa-evidence").forEach((button) => {
    button.addEventListener("click", () => {
      const player = window.qaWorkspace;
      if (!player) return;
      player.wavesurfer.setTime(Math.max(0, parseFloat(button.dataset.start)));
    });
  });
})();
