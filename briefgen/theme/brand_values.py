"""Values of a brand.yml file as its specification writes them
(https://posit-dev.github.io/brand-yml/): colours in any CSS form or by
palette or role name, font weights by name, and logos in the light/dark form."""

import tinycss2.color3

# brand.yml's colour roles; those the theme uses map to a style token (brand.COLOR_ROLES).
COLOR_ROLE_NAMES = ("foreground", "background", "primary", "secondary", "tertiary", "success", "info",
                    "warning", "danger", "light", "dark")
WEIGHTS = {"thin": 100, "hairline": 100, "extra-light": 200, "ultra-light": 200, "light": 300,
           "normal": 400, "regular": 400, "medium": 500, "semi-bold": 600, "demi-bold": 600,
           "bold": 700, "extra-bold": 800, "ultra-bold": 800, "black": 900, "heavy": 900}
STYLES = ("normal", "italic", "oblique")
LOGO_SIZES = ("small", "medium", "large")


def css_colour(value):
    """'#447099', 'orange', 'rgb(68 112 153)' -> '#447099'; None when not a CSS colour."""
    if not isinstance(value, str):
        return None
    parsed = tinycss2.color3.parse_color(value.strip())
    if parsed is None or isinstance(parsed, str):   # 'currentColor' is no colour of its own
        return None
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in parsed[:3])


def resolved_colour(value, palette, roles, seen=()):
    """A colour value through palette and role names (brand.yml lets a palette
    entry or a role name another): its #hex, or None."""
    if not isinstance(value, str) or value in seen:
        return None
    for names in (palette, roles):
        if value in names:
            return resolved_colour(names[value], palette, roles, seen + (value,))
    return css_colour(value)


def font_weight(value):
    """400, '600', 'light', 'semi-bold' -> a CSS weight number; None when not a weight."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        return number if 1 <= number <= 1000 else None
    return WEIGHTS.get(str(value).strip().lower().replace("_", "-").replace(" ", "-"))
