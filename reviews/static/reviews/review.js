"use strict";
// The review screen's keyboard: every decision, the verdicts, skip, next and previous, each one key (listed in the
// dialog `?` opens). The keys only press the screen's own buttons and links and tick its radios, so the server
// checks everything exactly as for a mouse; these checks only say earlier, on the spot, what the server would
// refuse. Keys are ignored while a text box has focus, but Escape (leave it) and Ctrl+Enter (decide).
(function () {
    function ready() {
        const form = document.getElementById("decision-form");
        const help = document.getElementById("review-shortcuts");
        const status = document.getElementById("review-panel-status");
        const verdicts = form ? Array.from(form.querySelectorAll(".review-verdict")) : [];
        const comment = form ? form.querySelector("textarea[name=comment]") : null;
        let chosen = null;  // a decision that needs a comment, chosen by its key, sent by Ctrl+Enter

        function say(text) {
            if (status) {
                status.textContent = text;
            }
        }

        function choice(fieldset, value) {
            return fieldset.querySelector(`input[type=radio][value="${value}"]`);
        }

        function wrongOnes() {
            return verdicts.filter((fieldset) => choice(fieldset, "wrong")?.checked);
        }

        function button(action) {
            return form ? form.querySelector(`button[name=action][value="${action}"]`) : null;
        }

        // The highlighted decision, which Enter makes: approve, until a dimension is wrong or a key chose another.
        function primary() {
            const approve = button("approve");
            const requestChanges = button("request_changes");
            const wrong = wrongOnes().length > 0;
            if (approve) {
                approve.disabled = wrong;
            }
            let target = chosen ? button(chosen) : null;
            if (!target && wrong) {
                target = requestChanges;
            }
            if (!target) {
                target = approve || null;
            }
            form?.querySelectorAll("button[name=action]").forEach((b) => b.classList.toggle("default", b === target));
            return target;
        }

        function mark(fieldset, value) {
            const radio = choice(fieldset, value);
            if (!radio) {
                return;
            }
            radio.checked = true;
            primary();
            if (value === "wrong") {
                fieldset.querySelector("textarea")?.focus();
            }
        }

        function confirmAll() {
            verdicts.forEach((fieldset) => {
                const radio = choice(fieldset, "confirmed");
                if (radio) {
                    radio.checked = true;
                }
            });
            chosen = null;
            primary();
            say("");
        }

        // What the server would refuse, said before sending; true if the form may go.
        function check(target) {
            const action = target.value;
            if (action === "approve") {
                const missing = verdicts.find((fieldset) => !fieldset.querySelector("input[type=radio]:checked"));
                if (missing) {
                    say(`${missing.querySelector("legend a").textContent.trim()}: ${form.dataset.missing}`);
                    missing.querySelector("input[type=radio]").focus();
                    return false;
                }
            }
            const unexplained = wrongOnes().find((fieldset) => !fieldset.querySelector("textarea").value.trim());
            if (unexplained && (action === "approve" || action === "request_changes")) {
                say(form.dataset.noteNeeded);
                unexplained.querySelector("textarea").focus();
                return false;
            }
            const explained = action === "request_changes" && wrongOnes().length > 0;
            if (target.hasAttribute("data-needs-comment") && !explained && comment && !comment.value.trim()) {
                chosen = action;
                primary();
                say(form.dataset.commentNeeded);
                comment.focus();
                return false;
            }
            return true;
        }

        function decide(target) {
            if (target && !target.disabled && check(target)) {
                form.requestSubmit(target);
            }
        }

        function typing(element) {
            return element instanceof HTMLTextAreaElement
                || (element instanceof HTMLInputElement && !["radio", "checkbox", "button", "submit"].includes(element.type))
                || element instanceof HTMLSelectElement
                || element?.isContentEditable;
        }

        function toggleHelp() {
            if (!help) {
                return;
            }
            if (help.open) {
                help.close();
            } else {
                help.showModal();
            }
        }

        function follow(id) {
            const link = document.getElementById(id);
            if (link) {
                window.location.assign(link.href);
            }
        }

        if (form) {
            form.addEventListener("change", (event) => {
                if (event.target.type === "radio") {
                    primary();
                }
            });
            form.addEventListener("submit", (event) => {
                if (event.submitter && !check(event.submitter)) {
                    event.preventDefault();
                }
            });
            primary();
        }
        document.getElementById("confirm-all")?.addEventListener("click", confirmAll);
        const showShortcuts = document.getElementById("show-shortcuts");
        showShortcuts?.addEventListener("click", toggleHelp);
        // Closing the list gives the focus back to what had it, its own button included: Enter would then open the
        // list again instead of deciding. The keys act on the page once it is closed.
        help?.addEventListener("close", () => {
            const focused = document.activeElement;
            if (focused instanceof HTMLElement && (focused === showShortcuts || help.contains(focused))) {
                focused.blur();
            }
        });

        document.addEventListener("keydown", (event) => {
            if (event.defaultPrevented || event.isComposing || event.altKey) {
                return;
            }
            const inText = typing(event.target);
            if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
                if (form) {
                    event.preventDefault();
                    decide(primary());
                }
                return;
            }
            if (event.ctrlKey || event.metaKey) {
                return;
            }
            if (inText) {
                if (event.key === "Escape") {
                    event.target.blur();
                }
                return;
            }
            if (help?.open && event.key !== "?") {
                return;  // the dialog handles Escape itself
            }
            const digit = /^Digit([1-9])$/.exec(event.code);
            if (digit && verdicts[digit[1] - 1]) {
                event.preventDefault();
                mark(verdicts[digit[1] - 1], event.shiftKey ? "wrong" : "confirmed");
                return;
            }
            const target = event.target;
            switch (event.key) {
            case "?":
                event.preventDefault();
                toggleHelp();
                return;
            case "a":
                if (verdicts.length) {
                    event.preventDefault();
                    confirmAll();
                }
                return;
            case "Enter":
                // A button or link under the focus keeps its own Enter.
                if (form && !(target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement)) {
                    event.preventDefault();
                    decide(primary());
                }
                return;
            case "s":
                event.preventDefault();
                follow("review-skip");
                return;
            case "n":
                event.preventDefault();
                follow("review-next");
                return;
            case "p":
                event.preventDefault();
                follow("review-previous");
                return;
            default: {
                const keyed = form?.querySelector(`button[name=action][data-key="${CSS.escape(event.key)}"]`);
                if (keyed) {
                    event.preventDefault();
                    decide(keyed);
                }
            }
            }
        });
        document.getElementById("decision-panel")?.setAttribute("data-keys", "ready");
    }

    document.addEventListener("DOMContentLoaded", ready);
})();
