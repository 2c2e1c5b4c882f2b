"""XLSForm as the standard and pyxform have it, and expressions with ODK's XPath semantics.

The expression cases are the ODK XForms specification's own statements (getodk.github.io/xforms-spec,
"XPath Functions" and "Bind Attributes"): node values are strings, a stored `1 > 2` is the string "false",
`boolean("false")` is true, `boolean-from-string` is true only for "true" and "1", `number()` reads a date as
days since 1970-01-01, `selected-at` is 0-based, `coalesce` takes the first non-empty, `int` truncates, and a
constraint is only evaluated when the node is non-empty.
"""

import math
import re

import pytest

from nmahp.errors import InstrumentError
from nmahp.instruments import Expression, ExpressionError, load_instrument, validate
from nmahp.instruments.synth import synthesise


@pytest.mark.parametrize("source,answers,text", [
    ("1 > 2", {}, "false"),  # the spec's example of a boolean stored as a string
    ("boolean(${a})", {"a": "false"}, "true"),  # ...and read back: boolean("false") is true
    ("boolean-from-string(${a})", {"a": "false"}, "false"),
    ("boolean-from-string(${a})", {"a": "1"}, "true"),
    ("boolean-from-string(${a})", {"a": "yes"}, "false"),  # anything but "true" and "1" is false
    ("number(${d})", {"d": "1970-01-11"}, "10"),  # number() of a date: days since 1970-01-01
    ("${d} > '2020-01-09'", {"d": "2020-01-10"}, "true"),  # relational operators compare those numbers
    ("selected-at('a b c', 1)", {}, "b"),  # 0-based
    ("selected-at('a b c', 3)", {}, ""),
    ("coalesce(${a}, 'z')", {"a": ""}, "z"),
    ("int(-3.7)", {}, "-3"),
    ("count-selected(${a})", {"a": "x y z"}, "3"),
    ("if(${a} = 'x', 'yes', 'no')", {"a": "x"}, "yes"),
    ("concat(${a}, '-', ${b})", {"a": "x", "b": ""}, "x-"),
    ("round(${a}, 1)", {"a": "2.26"}, "2.3"),  # ODK's round takes decimals
    ("round(-2.5)", {}, "-2"),  # XPath rounds a half towards positive infinity
    ("substr('abcd', 1, 3)", {}, "bc"),  # 0-based start, end exclusive
    ("max(${a}, ${b}, 2)", {"a": "3", "b": "7"}, "7"),
    ("min(${a}, 2)", {"a": ""}, "NaN"),
    ("ends-with(${a}, 'cd')", {"a": "abcd"}, "true"),
])

def test_spec_examples(source, answers, text):
    assert Expression(source).as_text(answers) == text


@pytest.mark.parametrize("source,function", [
    ("jr:choice-name(${a}, '${a}')", "jr:choice-name()"), ("pulldata('f', 'a', 'b', ${a})", "pulldata()"),
    ("indexed-repeat(${a}, ${b}, 1)", "indexed-repeat()"),
])
def test_functions_the_instruments_do_not_run_are_named(source, function):
    with pytest.raises(ExpressionError, match=f"uses the function {re.escape(function)}"):
        Expression(source)


@pytest.mark.parametrize("source,text,true", [
    ("${a} + 1", "NaN", False),  # an empty answer in arithmetic is NaN, never 0 and never an error
    ("${a} * 2 > 1", "false", False),
    ("${a}", "", False),  # an empty ${a} in a boolean is false
    ("not(${a})", "true", True),
    ("${a} and true()", "false", False),
    ("${a} = ''", "true", True),
    ("1 div 0", "Infinity", True),  # IEEE 754 division, as XPath 1.0 has it
    ("-1 div 0", "-Infinity", True),
    ("0 div 0", "NaN", False),
    ("5 mod 0", "NaN", False),
    ("-5 mod 3", "-2", True),  # mod keeps the dividend's sign
    ("${b} > 3", "false", False),  # 'x' is NaN as a number: a comparison, not an error
    ("10 div 4", "2.5", True),
])
def test_empty_answers_and_numbers_follow_xpath(source, text, true):
    expression = Expression(source)
    answers = {"a": "", "b": "x"}
    assert expression.as_text(answers) == text
    assert expression.is_true(answers) is true
    if text == "NaN":
        assert math.isnan(expression.evaluate(answers))


def test_a_calculation_on_an_empty_answer_stores_nan(md_form):
    form = md_form("""
    | survey |
    |        | type      | name   | label | calculation |
    |        | integer   | a      | A     |             |
    |        | calculate | a_plus |       | ${a} + 1    |
    """)
    assert validate(form, {}).answers == {"a_plus": "NaN"}
    assert validate(form, {"a": "4"}).answers == {"a": "4", "a_plus": "5"}


def test_a_constraint_is_only_evaluated_on_a_value(md_form):
    form = md_form("""
    | survey |
    |        | type    | name | label | constraint |
    |        | integer | a    | A     | . > 10     |
    """)
    assert validate(form, {}).ok
    assert not validate(form, {"a": "3"}).ok


MULTILINGUAL = """
| survey |
| | type              | name        | label::English (en) | label::Français (fr) | hint::English (en) | hint::Français (fr) | constraint | constraint_message::English (en) | constraint_message::Français (fr) | required | required_message::English (en) | required_message::Français (fr) |
| | begin group       | page-one    | About you           | À propos de vous     |                    |                     |            |                                  |                                   |          |                                |                                 |
| | select_one yn     | likes-tea   | Do you like tea?    | Aimez-vous le thé ?  | Pick one           | Choisissez          |            |                                  |                                   | yes      | Answer this                    | Répondez                        |
| | integer           | cups        | How many cups?      | Combien de tasses ?  |                    |                     | . < 20     | Fewer than 20                    | Moins de 20                       |          |                                |                                 |
| | end group         |             |                     |                      |                    |                     |            |                                  |                                   |          |                                |                                 |
| choices |
| | list name | name | label::English (en) | label::Français (fr) |
| | yn        | yes  | Yes                 | Oui                  |
| | yn        | no   | No                  | Non                  |
| settings |
| | default_language |
| | English (en)     |
"""


def test_language_columns_are_kept_per_language(md_form):
    form = md_form(MULTILINGUAL)
    assert form.languages == ("English (en)", "Français (fr)")
    assert form.question("likes-tea").label == "Do you like tea?"
    french = form.in_language("Français (fr)")
    assert french.current_language == "Français (fr)"
    tea = french.question("likes-tea")
    assert (tea.label, tea.hint, [c.label for c in tea.choices]) == ("Aimez-vous le thé ?", "Choisissez",
                                                                    ["Oui", "Non"])
    assert french.groups["page-one"].label == "À propos de vous"
    assert validate(french, {"cups": "30"}).errors_by_question() == {"likes-tea": "Répondez", "cups": "Moins de 20"}
    assert validate(form, {"cups": "30"}).errors_by_question() == {"likes-tea": "Answer this", "cups": "Fewer than 20"}
    assert form.in_language("Deutsch (de)") is form  # a language the workbook does not have: its default


CASCADE = """
| survey |
| | type                        | name    | label   | choice_filter        | required |
| | select_one country          | country | Country |                      | yes      |
| | select_multiple city        | cities  | Cities  | country = ${country} | yes      |
| | select_one origin or_other  | born    | Born in |                      |          |
| choices |
| | list name | name | label  | country |
| | country   | uk   | UK     |         |
| | country   | fr   | France |         |
| | city      | lon  | London | uk      |
| | city      | man  | Manchester | uk  |
| | city      | par  | Paris  | fr      |
| | city      | par  | Paris (Ontario) | uk |
| | origin    | eng  | England |        |
| | origin    | sco  | Scotland |       |
| settings |
| | allow_choice_duplicates |
| | yes                     |
"""


def test_choice_filter_in_validation_and_synthesis(md_form):
    form = md_form(CASCADE)
    cities = form.question("cities")
    assert cities.available_names({"country": "fr"}) == ("par",)
    assert cities.available_names({"country": "uk"}) == ("lon", "man", "par")  # 'par' twice: allowed duplicates
    assert validate(form, {"country": "fr", "cities": "par"}).ok
    refused = validate(form, {"country": "fr", "cities": "lon"})
    assert refused.errors_by_question() == {"cities": "'lon' is not one of the options for this question"}
    country_of = {c.name: c.columns.get("country") for c in cities.choices if c.name != "par"}
    rows = synthesise(form, 500, seed=2)
    assert all(validate(form, row).ok for row in rows)
    for row in rows:
        for city in row["cities"].split():
            if city in country_of:
                assert country_of[city] == row["country"]


def test_or_other_hyphenated_names_and_list_name(md_form):
    form = md_form(CASCADE)
    assert form.question("born").choice_names() == ("eng", "sco", "other")
    assert form.question("born_other").relevant.is_true({"born": "other"})
    assert validate(form, {"country": "uk", "cities": "lon", "born": "other", "born_other": "Wales"}).ok
    assert "born_other" in validate(form, {"country": "uk", "cities": "lon", "born": "sco",
                                           "born_other": "Wales"}).dropped
    hyphens = md_form(MULTILINGUAL)
    assert validate(hyphens, {"likes-tea": "yes", "cups": "3"}).answers == {"likes-tea": "yes", "cups": "3"}


def test_choices_from_a_csv_file_beside_the_workbook(md_workbook, tmp_path):
    path = md_workbook("""
    | survey |
    | | type                            | name   | label  | choice_filter     |
    | | select_one_from_file regions.csv | region | Region |                   |
    | | select_one_from_file trusts.csv  | trust  | Trust  | region=${region}  |
    """)
    (path.parent / "regions.csv").write_text("name,label\nnw,North West\nne,North East\n", encoding="utf-8")
    (path.parent / "trusts.csv").write_text("name,label,region\nmft,Manchester,nw\nnth,Newcastle,ne\n",
                                            encoding="utf-8")
    form = load_instrument(path)
    assert form.question("region").choice_names() == ("nw", "ne")
    assert form.question("trust").available_names({"region": "ne"}) == ("nth",)
    assert not validate(form, {"region": "ne", "trust": "mft"}).ok
    (path.parent / "trusts.csv").unlink()
    with pytest.raises(InstrumentError, match="'trusts.csv' is not beside the workbook"):
        load_instrument(path)


@pytest.mark.parametrize("row,feature", [
    ("| | begin repeat | kids | Kids |", "repeat groups"),
    ("| | geopoint | where | Where |", "geographic questions"),
    ("| | image | photo | Photo |", "media and file questions"),
    ("| | select_one_external c | ext | Ext |", "select_one_external"),
    ("| | range | r | R |", "range questions"),
    ("| | time | t | T |", "time questions"),
])
def test_unsupported_question_types_are_refused_by_name(md_workbook, row, feature):
    md = f"""
    | survey |
    | | type | name | label |
    | | text | first | First |
    {row}
    """
    with pytest.raises(InstrumentError) as caught:
        load_instrument(md_workbook(md))
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "type")
    assert feature in problem.message


@pytest.mark.parametrize("column,value,feature", [
    ("default", "x", "default values"),
    ("media::image", "a.png", "media in labels"),
    ("parameters", "randomize=true", "question parameters"),
    ("repeat_count", "3", "repeat groups"),
])
def test_unsupported_columns_are_refused_by_name(md_workbook, column, value, feature):
    md = f"""
    | survey |
    | | type | name | label | {column} |
    | | text | first | First | {value} |
    """
    with pytest.raises(InstrumentError) as caught:
        load_instrument(md_workbook(md))
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row) == ("survey", 2)
    assert feature in problem.message


def test_metadata_questions_are_the_clients_and_never_asked(md_form):
    form = md_form("""
    | survey |
    | | type  | name  | label |
    | | start | start |       |
    | | text  | q     | Q     |
    """)
    assert [q.name for q in form.answer_questions()] == ["q"]
    assert validate(form, {"start": "2023-02-01T10:00:00Z", "q": "x"}).answers["start"] == "2023-02-01T10:00:00Z"
    assert all("start" not in row for row in synthesise(form, 20, seed=1))
