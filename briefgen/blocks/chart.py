"""`chart`: a Vega-Lite specification drawn from the brief's own data (a CSV
file or inline values) in the theme's colours and fonts; numbered as a figure.

Validation checks the data and refuses every `url` outside the brief's folder;
drawing (vl-convert) happens in draw(), which the build calls in the process
that builds the document, never while a batch is planned."""

from pathlib import Path
from urllib.parse import urlsplit

from ..content import charts
from ..content.access import figure_alt_problems
from ..inputs.tabular import table_problems
from . import BlockType

SCHEMA = {
    "type": "object", "required": ["spec", "caption", "alt"], "additionalProperties": False,
    "properties": {
        "spec": {"type": "object", "minProperties": 1},
        "data": {"$ref": "#/$defs/text"},
        "values": {"type": "array", "minItems": 1, "items": {"type": "object"}},
        "where": {"type": "object", "minProperties": 1,
                  "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "caption": {"$ref": "#/$defs/markdown"},
        "alt": {"$ref": "#/$defs/text"},
        "source": {"$ref": "#/$defs/markdown"},
        "id": {"$ref": "#/$defs/id"},
        "width": {"type": "string", "pattern": "^([1-9][0-9]|100)%$"},
        "table": {"type": "boolean"},
        "variants": {"$ref": "#/$defs/variant_list"},
    },
}


def files(chart):
    """The data file and the specification's own local files: inputs of incremental builds."""
    if not isinstance(chart, dict):
        return []
    named = [chart["data"]] if isinstance(chart.get("data"), str) else []
    return named + [url for _, url in charts.url_fields(chart.get("spec")) if not urlsplit(url).scheme]


def problems(loaded, path, chart):
    if not isinstance(chart, dict):
        return []
    folder = loaded.path.parent
    found = []
    if not charts.installed():
        found.append(loaded.problem(path, charts.MISSING))
    spec = chart.get("spec")
    in_spec = isinstance(spec, dict) and "data" in spec   # as the Vega-Lite gallery writes it
    if in_spec and ("data" in chart or "values" in chart):
        found.append(loaded.problem(path + ("spec", "data"), "the chart's data is given twice: keep the spec's "
                                    "'data' or the block's 'data'/'values'"))
    elif in_spec:
        message = charts.spec_data_problem(spec["data"])
        if message:
            found.append(loaded.problem(path + ("spec", "data"), message))
    elif ("data" in chart) == ("values" in chart):
        found.append(loaded.problem(path, "a chart needs its data: 'data' (a CSV file), 'values', or the spec's "
                                          "own 'data' (values, or a url of a file beside the brief)"))
    elif isinstance(chart.get("data"), str):
        found += [loaded.problem(path + ("data",), message) for message in table_problems(folder, {"csv": chart["data"]})]
    for url_path, url in charts.url_fields(spec):
        message = charts.url_problem(url, folder)
        if message:
            found.append(loaded.problem(path + ("spec",) + url_path, message))
    if not found:
        found += _where_problems(loaded, path, chart)
    return found + _alt_problems(loaded, path + ("alt",), chart)


def _where_problems(loaded, path, chart):
    where = chart.get("where")
    if not isinstance(where, dict):
        return []
    columns = charts.data_columns(chart, loaded.path.parent) if "spec" not in chart or "data" not in chart["spec"] \
        else list(dict.fromkeys(key for row in charts.spec_rows(chart["spec"]["data"], loaded.path.parent)
                                for key in row))
    return [loaded.problem(path + ("where", column),
                           f"the chart's data has no column '{column}'; its columns: {', '.join(columns)}")
            for column in where if column not in columns]


def _alt_problems(loaded, path, chart):
    if not all(isinstance(chart.get(key), str) for key in ("alt", "caption")):
        return []
    errors, warnings = figure_alt_problems(chart["alt"], chart["caption"], str(chart.get("data", "")))
    loaded.warnings.extend(loaded.problem(path, warning) for warning in warnings)
    return [loaded.problem(path, error) for error in errors]


def prepare(fields, brief_dir):
    """The chart's rows (CSV or inline, limited by `where`): what its table shows
    and what the converter draws."""
    if "data" in fields:
        rows = charts.csv_rows(Path(brief_dir) / fields["data"])
    elif "values" in fields:
        rows = list(fields["values"])
    else:   # the spec's own data.values, or its data.url file (read by us, confined)
        rows = charts.spec_rows(fields["spec"]["data"], brief_dir)
    fields["rows"] = charts.selected(rows, fields.get("where"))
    fields["columns"] = charts.data_columns(fields, brief_dir)
    return fields


def draw(fields, context):
    """Draw the chart to an SVG in the output folder's cache, sized to the
    variant's chart slot (its `width` a share of it). No context: `brief
    check` composes the templates without drawing anything."""
    if context is None:
        return {**fields, "svg": ""}
    width, height = context.chart_size
    share = int(fields["width"].rstrip("%")) / 100 if fields.get("width") else 1
    spec = charts.full_spec(fields, fields["rows"], context.brief_dir,
                            (width * share * charts.PX_PER_MM, height * charts.PX_PER_MM))
    config = charts.merged(context.chart_theme.config, fields["spec"].get("config") or {})
    try:
        svg = charts.draw(spec, config, context.language, context.chart_theme, context.cache_dir)
    except charts.ChartError as error:  # drawn after validation: the caption says which chart
        raise charts.ChartError(str(error), caption=fields["caption"]) from None
    return {**fields, "svg": svg.resolve().as_uri()}


BLOCK = BlockType(
    name="chart",
    schema=SCHEMA,
    markdown_fields=("caption", "source"),
    defaults={"source": None, "width": None, "id": None, "table": False},
    variants=("full",),   # the memo prints no blocks; the summary shows one chart when asked
    files=files,
    problems=problems,
    prepare=prepare,
    draw=draw,
)
