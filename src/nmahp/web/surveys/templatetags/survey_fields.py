"""The options of a survey question (web/survey/_field.html), written here rather than by a template loop: a
section's page lists up to fifty of them, and the loop spent about 50 microseconds on each (a dozen variable
lookups and tests per option), most of a page's rendering; this writes the same markup, byte for byte."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

OPTION = ('\n      <div class="nhsuk-{widget}__item">\n'
          '        <input class="nhsuk-{widget}__input" id="{id}" name="{name}" type="{kind}" '
          'value="{value}"{checked}>\n'
          '        <label class="nhsuk-label nhsuk-{widget}__label" for="{id}">{label}</label>\n'
          '      </div>\n      ')


@register.simple_tag
def choice_items(field):
    """Every option of a radios or checkboxes field: its input (checked when chosen) and label."""
    widget = conditional_escape(field.widget)
    first_id = conditional_escape(field.id)
    name = conditional_escape(field.question.name)
    kind = "radio" if field.widget == "radios" else "checkbox"
    selected = field.selected
    out = []
    for number, choice in enumerate(field.choices):
        value = conditional_escape(choice.name)
        out.append(OPTION.format(widget=widget, id=first_id if number == 0 else f"{first_id}-{value}", name=name,
                                 kind=kind, value=value, checked=" checked" if choice.name in selected else "",
                                 label=conditional_escape(choice.label)))
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
