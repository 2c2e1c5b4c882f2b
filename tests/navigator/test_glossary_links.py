"""Linking glossary terms in rendered pages: first use only, inside <main>, never inside tags,
attributes, links, form labels or data tables."""

from nmahp.navigator.glossary import link_terms


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>PCAF</title></head><body><nav>NIHR</nav><main>{body}</main></body></html>"


def test_first_use_of_each_term_links_to_its_entry(content):
    out = link_terms(page("<p>The PCAF and the DCAF. Another PCAF.</p>"), content.glossary)
    assert out.count('href="/careers/glossary/#pcaf"') == 1
    assert 'href="/careers/glossary/#dcaf"' in out
    assert 'title="Pre-doctoral Clinical and Practitioner Academic Fellowship">PCAF</a>' in out
    assert "Another PCAF." in out
    assert "<nav>NIHR</nav>" in out and "<title>PCAF</title>" in out  # outside <main>


def test_aliases_link_to_the_same_entry(content):
    out = link_terms(page("<p>Two AHPs and some HEIs.</p>"), content.glossary)
    assert '<a class="nmahp-term" href="/careers/glossary/#ahp"' in out and ">AHPs</a>" in out
    assert 'href="/careers/glossary/#hei"' in out


def test_links_forms_tables_and_attributes_are_left_alone(content):
    body = ('<h1>The PCAF</h1><h2>The NHS</h2><strong class="nhsuk-tag">HEI</strong><a href="/x">NIHR page</a><label for="q">Your NHS band</label>'
            '<table><tr><td>AHP</td></tr></table><p title="ICA rules" class="ICA">text</p><p>ICA</p>')
    out = link_terms(page(body), content.glossary)
    assert "<h1>The PCAF</h1><h2>The NHS</h2><strong class=\"nhsuk-tag\">HEI</strong>" in out
    assert '<a href="/x">NIHR page</a>' in out
    assert '<label for="q">Your NHS band</label>' in out
    assert "<td>AHP</td>" in out
    assert '<p title="ICA rules" class="ICA">text</p>' in out
    assert '<p><a class="nmahp-term" href="/careers/glossary/#ica"' in out


def test_words_inside_other_words_are_not_linked(content):
    out = link_terms(page("<p>The NHSX, the PICU, GP-led and gp.</p>"), content.glossary)
    assert "nmahp-term" not in out


def test_entities_comments_and_hostile_text_survive_unchanged(content):
    body = "<p>&lt;script&gt;alert('NHS')&lt;/script&gt; &amp; &#169; <!-- NHS --></p><script>var a = 'NHS';</script>"
    out = link_terms(page(body), content.glossary)
    assert "&lt;script&gt;alert('<a class=\"nmahp-term\" href=\"/careers/glossary/#nhs\"" in out
    assert "&amp; &#169; <!-- NHS -->" in out
    assert "<script>var a = 'NHS';</script>" in out


def test_a_page_without_main_is_returned_as_is(content):
    assert link_terms("<p>PCAF</p>", content.glossary) == "<p>PCAF</p>"


def test_nested_skipped_elements_are_passed_whole_and_linking_resumes_after(content):
    body = ("<table><tr><td><table><tr><td>ICA</td></tr></table>ICA</td></tr></table>"
            "<select><option>NHS</option></select><p>ICA and NHS</p>")
    out = link_terms(page(body), content.glossary)
    assert "<td>ICA</td></tr></table>ICA</td>" in out and "<option>NHS</option>" in out
    assert out.count('class="nmahp-term"') == 2
    assert '<p><a class="nmahp-term" href="/careers/glossary/#ica"' in out


def test_an_unclosed_element_does_not_lose_the_rest_of_the_page(content):
    out = link_terms(page("<p>PCAF <a href='/x'>open link"), content.glossary)
    assert out.endswith("open link</main></body></html>")
    assert out.count("nmahp-term") == 1
