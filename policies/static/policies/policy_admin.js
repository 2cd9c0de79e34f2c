"use strict";
// Live preview of the change form's Markdown: the server renders and sanitizes it (policies.rendering), so the
// preview shows exactly what the site will publish. Requests wait for a pause in typing, and an answer that
// arrives after a newer request was sent is dropped.
(function () {
    const DELAY_MS = 300;

    function attach(preview) {
        const source = document.getElementById(preview.dataset.source);
        if (!source || !source.form) {
            return;
        }
        const tokenInput = source.form.querySelector("input[name=csrfmiddlewaretoken]");
        let timer = null;
        let sent = 0;

        async function refresh() {
            const request = ++sent;
            try {
                const response = await fetch(preview.dataset.previewUrl, {
                    method: "POST",
                    body: new URLSearchParams({text: source.value}),
                    headers: {"X-CSRFToken": tokenInput ? tokenInput.value : ""},
                    credentials: "same-origin",
                });
                if (request !== sent) {
                    return;
                }
                if (!response.ok) {
                    throw new Error(`preview failed: ${response.status}`);
                }
                preview.innerHTML = await response.text();
                preview.dataset.state = "ready";
            } catch (error) {
                if (request === sent) {
                    preview.dataset.state = "failed";
                }
            }
        }

        source.addEventListener("input", function () {
            preview.dataset.state = "pending";
            clearTimeout(timer);
            timer = setTimeout(refresh, DELAY_MS);
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll(".markdown-preview[data-source]").forEach(attach);
    });
})();
