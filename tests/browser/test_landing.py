"""The landing page renders on a phone-sized screen, without accessibility violations."""

from typing import Any

from axe_playwright_python.sync_playwright import Axe


def test_landing_page_is_accessible_on_a_phone(page: Any) -> None:
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "You are not the only one."
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # Nothing overflows sideways on a 390px-wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_skip_link_moves_focus_to_the_content(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
