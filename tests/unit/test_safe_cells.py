from hypothesis import given
from hypothesis import strategies as st

from cmis_migrate.safe_cells import (
    FORMULA_STARTS,
    cell_value,
    cell_values,
    is_formula_like,
    neutralize,
    unneutralize,
)


def test_formula_starts_get_an_apostrophe():
    for text in ('=HYPERLINK("http://x","y")', "+84912345678", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize(text) == "'" + text
        assert not is_formula_like(neutralize(text))


def test_plain_text_and_non_strings_unchanged():
    assert neutralize("Nguyễn Văn A") == "Nguyễn Văn A"
    assert neutralize("") == ""
    assert neutralize("'plain") == "'plain"
    assert neutralize("'=x") == "''=x"
    assert unneutralize("''=x") == "'=x"
    assert cell_value(12) == 12
    assert cell_value(None) is None
    assert cell_value("=1+1") == "'=1+1"


@given(
    st.text() | st.builds(lambda a, b: a + b, st.sampled_from(["'", "''", "=", "'="]), st.text())
)
def test_never_formula_like_and_reversible(text):
    out = neutralize(text)
    assert not is_formula_like(out)
    assert unneutralize(out) == text


@given(
    st.lists(
        st.text()
        | st.builds(lambda a, b: a + b, st.sampled_from([*FORMULA_STARTS, "'", "''"]), st.text())
        | st.integers()
        | st.none()
    )
)
def test_cell_values_is_cell_value_on_each(values):
    """The bulk form (the drafts CSV's millions of cells) skips only what cannot change."""
    assert cell_values(values) == [cell_value(v) for v in values]
