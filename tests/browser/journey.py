"""What every journey step checks, and a keyboard-only way through forms.

A `Journey` is one role-play at one viewport (a phone, tapped; a laptop, by keyboard alone).
Each person in it (`journey.person(...)`) has her own browser context, and every page any of
them lands on must be looked at with `see(step)`, which saves a numbered screenshot, runs axe
(no serious or critical violation) and, at phone width, checks the page does not scroll
sideways. `finish()` fails the test if a page was visited without being looked at, so a new
step cannot skip the checks.

At the laptop, forms are filled the way a keyboard user does it: from the top of the content
(where "Skip to content" leaves her), Tab to the field found by its label, type with the
keyboard, Tab to the next control, and press Enter or Space on the button. Every control
reached that way must show where the focus is (an outline or a box shadow).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe, AxeResults

from tests.factories import PASSWORD

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
PHONE_WIDTH = VIEWPORTS["phone"]["width"]
SCREENSHOTS = Path("test-results/screenshots")
SERIOUS = ("serious", "critical")
MAX_TABS = 60
_AXE = Axe()

FOCUS_IS_VISIBLE = """(el) => {
  if (el !== document.activeElement || !el.matches(':focus-visible')) return false;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return outline || (style.boxShadow && style.boxShadow !== 'none');
}"""


@dataclass
class Journey:
    """One journey at one viewport: its people, its numbered steps and the pages they saw."""

    browser: Any
    base_url: str
    name: str
    viewport: str
    keyboard: bool = False
    steps: int = 0
    presses: int = 0
    visited: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return SCREENSHOTS / f"{self.name}-{self.viewport}"

    def __post_init__(self) -> None:
        # Only this run's steps: a renamed or removed step leaves no stale picture behind.
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def is_phone(self) -> bool:
        return self.viewport == "phone"

    def person(self, who: str, *, timezone: str = "Europe/London") -> Person:
        # A fixed locale: amounts are written, and dates and times typed, in its order.
        context = self.browser.new_context(base_url=self.base_url, viewport=VIEWPORTS[self.viewport],
                                           timezone_id=timezone, locale="en-US")
        # axe-core comes with every page, instead of being sent again for each check.
        context.add_init_script(script=_AXE.axe_script)
        page = context.new_page()
        page.set_default_timeout(10_000)
        person = Person(self, who, context, page)
        page.on("framenavigated", lambda frame: person.navigated(frame))
        self.people.append(person)
        return person

    def finish(self) -> None:
        """The end of a journey that went well: every page visited was looked at."""
        unseen = {url: who for url, who in self.visited.items() if url not in self.seen}
        print(f"{self.name}-{self.viewport}: {self.steps} steps, {self.presses} key presses")
        assert not unseen, f"pages visited without the axe and layout checks: {unseen}"

    def close(self) -> None:
        for person in self.people:
            person.context.close()


@dataclass
class Person:
    journey: Journey
    who: str
    context: Any
    page: Any

    def navigated(self, frame: Any) -> None:
        if frame is self.page.main_frame and frame.url.startswith(self.journey.base_url):
            self.journey.visited.setdefault(self._key(frame.url), self.who)

    def _key(self, url: str) -> str:
        return url.split("#", 1)[0]

    # --- looking at a page -------------------------------------------------------------------

    def see(self, step: str) -> None:
        """Screenshot the page as step N, then check it with axe and, on a phone, its width."""
        page = self.page
        page.wait_for_load_state()
        journey = self.journey
        journey.steps += 1
        journey.folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.who} {step}".lower()).strip("-")
        page.screenshot(path=str(journey.folder / f"{journey.steps:02d}-{slug}.png"), full_page=True)
        results = AxeResults(page.evaluate("axe.run({resultTypes: ['violations']})"))
        serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        if results.violations_count:
            print(f"axe on {page.url} ({step}):\n{results.generate_report()}")
        assert not serious, (f"{page.url} ({step}): serious or critical axe violations: "
                             + ", ".join(v["id"] for v in serious) + "\n" + results.generate_report())
        if journey.is_phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE_WIDTH, f"{page.url} ({step}) is {width}px wide on a {PHONE_WIDTH}px phone"
        journey.seen.add(self._key(page.url))

    def goto(self, path: str, step: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path} answered {response and response.status}"
        self.see(step)

    # --- the keyboard ------------------------------------------------------------------------

    def _focused(self, target: Any) -> bool:
        return target.evaluate("(el) => el === document.activeElement")

    def _assert_focus_visible(self, target: Any) -> None:
        assert target.evaluate(FOCUS_IS_VISIBLE), (
            f"no visible focus on {target.evaluate('(el) => el.outerHTML.slice(0, 120)')}")

    def tab_to(self, target: Any) -> None:
        """Press Tab until `target` has the focus, and check the focus can be seen there.

        A radio button is reached like a keyboard user reaches it: Tab into its group, then the
        arrow keys (which also choose it)."""
        keyboard = self.page.keyboard
        target.wait_for()
        for _ in range(MAX_TABS):
            # One round trip per key: is the target focused, and is the focus in its radio group?
            focused, in_group = target.evaluate(
                """(el) => [el === document.activeElement, el.type === 'radio'
                            && document.activeElement.name === el.name]""")
            if focused:
                break
            keyboard.press("ArrowDown" if in_group else "Tab")
            self.journey.presses += 1
        else:
            raise AssertionError(f"{self.page.url}: Tab never reached "
                                 f"{target.evaluate('(el) => el.outerHTML.slice(0, 120)')}")
        self._assert_focus_visible(target)

    def start_at(self, target: Any) -> None:
        """Tab to the first control of a form from the top of the content, where the page's
        "Skip to content" link puts the focus."""
        if self.journey.keyboard:
            self.page.locator("#main").focus()
            self.tab_to(target)

    def fill(self, label: str, text: str, *, first: bool = False) -> None:
        """Type into the field with this label: reached with Tab, or first in its form."""
        target = self.page.get_by_label(label, exact=True)
        if not self.journey.keyboard:
            target.fill(text)
            return
        if first:
            self.start_at(target)
        else:
            self.tab_to(target)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def fill_date(self, label: str, day: date) -> None:
        """A date input, typed as a keyboard user types it in the browser's (US) order."""
        target = self.page.get_by_label(label, exact=True)
        if self.journey.keyboard:
            self.tab_to(target)
            self.page.keyboard.type(day.strftime("%m%d%Y"))
        else:
            target.fill(day.isoformat())
        assert target.input_value() == day.isoformat()

    def fill_time(self, label: str, at: time) -> None:
        """A time input, typed as a keyboard user types it: hours, minutes, AM or PM."""
        target = self.page.get_by_label(label, exact=True)
        if self.journey.keyboard:
            self.tab_to(target)
            self.page.keyboard.type(at.strftime("%I%M%p")[:5])
        else:
            target.fill(at.strftime("%H:%M"))
        assert target.input_value() == at.strftime("%H:%M")

    def tick(self, target: Any) -> None:
        """Choose a checkbox or radio button: with the keyboard, Tab (and the arrows, in a
        group of radio buttons) to it and press Space."""
        if self.journey.keyboard:
            self.tab_to(target)
            if not target.is_checked():
                self.page.keyboard.press("Space")
        else:
            target.check()
        assert target.is_checked()

    def expand(self, summary: Any) -> None:
        """Open a <details> by its summary."""
        if self.journey.keyboard:
            self.tab_to(summary)
            self.page.keyboard.press("Enter")
        else:
            summary.click()

    def press(self, name: str | re.Pattern[str], *, within: Any = None, key: str = "Enter",
              exact: bool = True) -> None:
        """Press the button with this name (Tab to it, then Enter), and wait for the next page."""
        scope = within or self.page
        target = scope.get_by_role("button", name=name, exact=exact) if isinstance(name, str) else \
            scope.get_by_role("button", name=name)
        self.activate(target, key=key)

    def follow(self, name: str | re.Pattern[str], *, within: Any = None, exact: bool = True) -> None:
        """Follow the link with this name (Tab to it, then Enter), and wait for the next page."""
        scope = within or self.page
        target = scope.get_by_role("link", name=name, exact=exact) if isinstance(name, str) else \
            scope.get_by_role("link", name=name)
        self.activate(target)

    def activate(self, target: Any, *, key: str = "Enter") -> None:
        if target.count() > 1:
            target = target.first
        if self.journey.keyboard:
            if not self._focused(target):
                # From the top of a fresh page, a link or button in the content is reached by
                # skipping the site's navigation first ("Skip to content"), as keyboard users do.
                fresh = self.page.evaluate("document.activeElement === document.body")
                if fresh and target.evaluate("(el) => !!el.closest('main')"):
                    self.page.locator("#main").focus()
                self.tab_to(target)
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            with self.page.expect_navigation():
                target.click()

    # --- shortcuts for the steps every journey has -----------------------------------------

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        self.goto("/account/login", "log in")
        self.fill("Email address", email, first=True)
        self.fill("Password", password)
        self.press("Log in")
        self.see("logged in")
