"""The HTML page: CSS inline, plots as base64 PNG, tables with numbers right-aligned."""
import html
import re

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1250px;margin:0 auto;padding:1.2em 2em 3em}
h1{font-size:1.7em;margin:.3em 0 .1em} h2{font-size:1.3em;border-bottom:2px solid #4c72b0;padding-bottom:.2em;margin-top:2em}
.meta{color:#555;font-size:.92em} .src{color:#666;font-size:.85em;font-family:monospace;word-break:break-all}
figure{margin:1em 0;background:#fff;border:1px solid #ddd;border-radius:4px;padding:.6em;text-align:center}
figure img{max-width:100%;height:auto} figcaption{font-size:.85em;color:#555;margin-top:.3em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.2em;background:#fff}
th,td{border:1px solid #ddd;padding:.25em .6em;white-space:nowrap}
th{background:#eef2f8} .n{text-align:right} .t{text-align:left}
caption{text-align:left;font-weight:600;padding:.3em 0}
.wrap{overflow-x:auto} ul.inputs{font-size:.9em} .note{font-size:.92em}
td.msg{white-space:normal;text-align:left;min-width:20em;max-width:48em}
#summary table{width:100%} #summary th,#summary td:first-child,#summary td:nth-child(7){white-space:normal}
#summary td.msg{min-width:0;max-width:none} #summary table{font-size:.8em} #summary td:first-child{min-width:9em;max-width:14em;overflow-wrap:anywhere}
#summary td:last-child{min-width:22em}
"""


_NUMERIC = re.compile(r"^(-|[-+]?[\d.]+(e[-+]?\d+)?( ?[A-Za-z]+(/s)?|x)?|\d+/\d+.*)$")


def _section_html(i, s):
    e = html.escape
    out = [f'<section id="{e(getattr(s, "anchor", f"s{i}"))}"><h2>{e(s.title)}</h2><p class="src">{e(s.source)}</p>']
    out += [f'<p class="note">{n}</p>' for n in s.notes]
    for alt, b64, caption in s.figures:
        out.append(f'<figure><img src="data:image/png;base64,{b64}" alt="{e(alt)}">'
                   f"<figcaption>{e(caption)}</figcaption></figure>")
    for caption, head, rows in s.tables:
        out.append(f'<div class="wrap"><table><caption>{e(caption)}</caption><thead>')
        text = [not all(_NUMERIC.match(str(row[j])) for row in rows) for j in range(len(head))]
        out.append("<tr>" + "".join(f'<th class="{"t" if text[j] else "n"}">{e(h)}</th>'
                                    for j, h in enumerate(head)) + "</tr></thead><tbody>")
        for row in rows:
            out.append("<tr>" + "".join(
                f'<td class="{("msg" if len(str(c)) > 40 else "t") if text[j] else "n"}">{e(str(c))}</td>'
                for j, c in enumerate(row)) + "</tr>")
        out.append("</tbody></table></div>")
    out.append("</section>")
    return out


def render_html(title, generated, inputs, sections, data_files):
    """The page: the summary section first (when there is one), the contents, the other sections, the inputs."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>",
           f"<h1>{e(title)}</h1>", f'<p class="meta">Generated {e(generated)} by <code>offload report</code>.</p>']
    numbered = list(enumerate(sections, 1))
    first = [(i, s) for i, s in numbered if s.kind == "summary"]
    rest = [(i, s) for i, s in numbered if s.kind != "summary"]
    for i, s in first:
        out += _section_html(i, s)
    if rest:
        out.append('<p class="meta">Sections: ' + " · ".join(
            f'<a href="#s{i}">{e(s.title)}</a>' for i, s in rest) + "</p>")
    for i, s in rest:
        out += _section_html(i, s)
    out.append('<h2>Inputs</h2><ul class="inputs">')
    out += [f"<li><code>{e(p)}</code> ({e(k)})</li>" for p, k in inputs]
    out.append("</ul>")
    out.append('<h2>Data</h2><p class="note">The numbers behind every plot, next to this page: '
               + ", ".join(f'<a href="data/{e(f)}">data/{e(f)}</a>' for f in data_files) + ".</p>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
