"use strict";
// The settle page of an import conflict: typing a value in a field's box chooses "Write another value" for it.
(function () {
    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll("[data-write-choice]").forEach(function (input) {
            const choice = document.getElementById(input.dataset.writeChoice);
            if (!choice) {
                return;
            }
            input.addEventListener("input", function () {
                choice.checked = true;
            });
        });
    });
})();
