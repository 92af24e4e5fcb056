extension Templates {
    /// One small stylesheet: readable contrast, 360 px phones, clean A4 printing.
    static let css = """
        :root { --ink: #1b1b1f; --muted: #4a4a55; --accent: #0b5394; --accent-ink: #ffffff; --paper: #ffffff; --soft: #f3f5f8; --warn: #7a2e00; --line: #c9ced6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }
        .crisis { margin: 0; background: #fdf0e6; color: var(--warn); border-bottom: 1px solid #f0c9a8; padding: .4rem 1rem; font-size: .92rem; }
        .crisis a { color: var(--warn); font-weight: 700; display: inline-block; min-width: 24px; text-align: center; }
        header .site { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1.5rem; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
        header .brand { font-weight: 800; font-size: 1.3rem; text-decoration: none; color: var(--ink); }
        header ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
        header nav a { display: inline-block; padding: .2rem 0; }
        .question { font-weight: 600; margin: .25rem 0 .5rem; }
        details.ask { margin: 1.5rem 0; } details.ask > summary { cursor: pointer; font-weight: 700; color: var(--accent); padding: .5rem 0; }
        .actions .button, .subscribe .button { margin: .25rem .25rem .25rem 0; }
        input[type=checkbox], input[type=radio] { width: 1.5rem; height: 1.5rem; margin: 0; flex: none; }
        main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
        footer.site { max-width: 60rem; margin: 2rem auto 0; padding: 1rem; color: var(--muted); font-size: .9rem; border-top: 1px solid var(--line); }
        h1 { font-size: 1.6rem; line-height: 1.25; } h2 { font-size: 1.25rem; margin-top: 1.8rem; }
        .lead { color: var(--muted); font-size: 1.05rem; }
        .doors { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .75rem; margin: 1.2rem 0; }
        .door { display: block; padding: 1rem; border: 2px solid var(--accent); border-radius: .5rem; text-decoration: none; color: var(--ink); background: var(--soft); }
        .door strong { display: block; color: var(--accent); font-size: 1.1rem; } .door span { color: var(--muted); }
        label { font-weight: 600; display: block; margin: .6rem 0 .25rem; }
        input[type=text], input[type=search], input[type=email], input[type=number], select, textarea { width: 100%; max-width: 32rem; padding: .5rem; font: inherit; border: 1px solid #6b7280; border-radius: .3rem; }
        button, .button { display: inline-block; padding: .55rem 1rem; font: inherit; font-weight: 600; color: var(--accent-ink); background: var(--accent); border: 0; border-radius: .3rem; cursor: pointer; text-decoration: none; }
        button.secondary { background: #fff; color: var(--accent); border: 2px solid var(--accent); }
        .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; } .row input { flex: 1 1 14rem; }
        fieldset { border: 1px solid var(--line); border-radius: .4rem; margin: 1rem 0; padding: .5rem 1rem 1rem; }
        legend { font-weight: 700; padding: 0 .3rem; }
        .checks label { font-weight: 400; display: flex; gap: .5rem; align-items: flex-start; margin: .3rem 0; }
        .disclaimer { border-left: 4px solid var(--accent); background: var(--soft); padding: .75rem 1rem; margin: 1rem 0; }
        .emergency { border: 2px solid var(--warn); background: #fff5ee; padding: .75rem 1rem; margin: 1rem 0; border-radius: .4rem; }
        .emergency h2 { margin-top: 0; color: var(--warn); }
        .results { list-style: none; padding: 0; } .results > li { border: 1px solid var(--line); border-radius: .45rem; padding: .75rem 1rem; margin: .75rem 0; }
        .results h3 { margin: 0 0 .25rem; font-size: 1.1rem; }
        .kind { display: inline-block; font-size: .85rem; color: var(--muted); background: var(--soft); border-radius: .25rem; padding: 0 .4rem; }
        .badge { display: inline-block; font-size: .8rem; border-radius: .25rem; padding: 0 .4rem; font-weight: 600; }
        .badge.demo { background: #fff3c4; color: #5c4400; border: 1px solid #d9b94a; }
        .badge.stale, .badge.closed { background: #fde2e2; color: #7a1010; border: 1px solid #e0a0a0; }
        .reasons { margin: .4rem 0; padding-left: 1.2rem; } .meta { color: var(--muted); font-size: .9rem; }
        dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .3rem 1rem; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .pager { display: flex; gap: 1rem; margin: 1rem 0; }
        .error { color: #7a1010; font-weight: 600; }
        .pick { display: flex; gap: .5rem; align-items: center; font-weight: 600; margin: .5rem 0 0; }
        .hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
        .contact { list-style: none; padding: 0; margin: .4rem 0; }
        .orientation .row > div { flex: 1 1 10rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .table-scroll { overflow-x: auto; max-width: 100%; } .table-scroll:focus { outline: 3px solid #f0a500; }
        form.inline { display: inline-block; margin: 0 .25rem .25rem 0; } .notice { background: var(--soft); border-left: 4px solid var(--accent); padding: .5rem 1rem; }
        .muted { color: var(--muted); } .curated { color: var(--warn); } td.value { max-width: 20rem; overflow-wrap: anywhere; font-size: .9rem; }
        body.admin main { max-width: 72rem; }
        .emergency ul { padding-left: 1.2rem; margin: .25rem 0; } .emergency p { margin: .25rem 0; }
        @media (max-width: 30rem) { dl.facts { grid-template-columns: 1fr; } h1 { font-size: 1.35rem; } main { padding: .75rem; } .emergency { margin-top: 0; } }
        @media print {
          @page { size: A4; margin: 14mm; }
          header, footer.site, nav, form, .noprint, .skip { display: none !important; }
          .sheet { font-size: 9.5pt; line-height: 1.3; } .sheet h1 { font-size: 14pt; margin: 0 0 2pt; } .sheet .meta { font-size: 8.5pt; margin: 0 0 3pt; }
          .sheet .results { margin: 4pt 0; } .sheet-item h2 { font-size: 11pt; margin: 0; } .sheet-item p { margin: 0; }
          .sheet .disclaimer { margin: 4pt 0; padding: 3pt 6pt; font-size: 8.5pt; } .sheet .emergency { margin: 0 0 4pt; padding: 3pt 6pt; }
          .sheet .emergency h2 { font-size: 10.5pt; margin: 0; }
          body { font-size: 10.5pt; } main { max-width: none; padding: 0; }
          a { color: inherit; text-decoration: none; }
          .results > li, .sheet-item { break-inside: avoid; border: 0; border-bottom: 1px solid #999; border-radius: 0; padding: .3rem 0; }
          .disclaimer { border: 1px solid #999; }
        }
        """
}
