/// Templates of the /admin pages (Mustache, escaped by default). Every form
/// that changes something carries the session's CSRF token.
enum AdminTemplates {
    static var all: [(String, String)] {
        [("adminlayout", layout), ("adminlogin", login), ("adminsources", sources), ("adminsource", source), ("adminrun", run),
         ("adminchanges", changes), ("adminstale", stale), ("adminlistings", listings), ("adminlisting", listing), ("adminreports", reports),
         ("adminaudit", audit), ("adminchangetable", changeTable)]
    }

    static let layout = """
        <!DOCTYPE html>
        <html lang="fr">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>{{page.title}} — administration Relais</title>
        <link rel="stylesheet" href="/static/relais.css">
        </head>
        <body class="admin">
        <a class="skip" href="#contenu">Aller au contenu</a>
        <header class="site">
          <a class="brand" href="/admin">Relais · administration</a>
          {{#user}}
          <nav aria-label="Administration">
            <ul>
              <li><a href="/admin">Sources</a></li>
              <li><a href="/admin/changes">Changements</a></li>
              <li><a href="/admin/stale">Obsolètes{{#counts.stale}} ({{counts.stale}}){{/counts.stale}}</a></li>
              <li><a href="/admin/reports">Signalements{{#counts.reports}} ({{counts.reports}}){{/counts.reports}}</a></li>
              <li><a href="/admin/listings">Fiches</a></li>
              <li><a href="/admin/audit">Journal</a></li>
            </ul>
          </nav>
          <form method="post" action="/admin/logout" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Se déconnecter ({{user}})</button>
          </form>
          {{/user}}
        </header>
        <main id="contenu">
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<adminlayout}}{{$body}}
        <h1>Connexion à l’administration</h1>
        {{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}
        <form method="post" action="/admin/login" class="stack">
          <input type="hidden" name="csrf" value="{{login_csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          <p><label for="name">Nom du compte</label><br><input id="name" name="name" autocomplete="username" required value="{{name}}"></p>
          <p><label for="password">Mot de passe</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
          <p><button type="submit">Se connecter</button></p>
        </form>
        <p class="muted">Les comptes se créent sur le serveur : <code>relais admin add NOM</code>.</p>
        {{/body}}{{/adminlayout}}
        """

    static let sources = """
        {{<adminlayout}}{{$body}}
        <h1>Sources</h1>
        <p>{{counts.line}}.</p>
        {{#has_invalid_manifests}}<div class="notice error" role="alert"><h2>Manifestes invalides</h2><p>Ces fichiers sont ignorés ; les autres sources continuent.</p><ul>
        {{#invalid_manifests}}<li><code>{{file}}</code>{{#key}} — clé « {{key}} »{{/key}} : {{message}}</li>{{/invalid_manifests}}
        </ul></div>{{/has_invalid_manifests}}
        <div class="table-scroll" tabindex="0"><table>
          <caption class="visually-hidden">État des sources</caption>
          <thead><tr><th scope="col">Source</th><th scope="col">État</th><th scope="col">Dernier succès</th><th scope="col">Dernier échec</th><th scope="col">Prochain run</th><th scope="col">Dernier run</th><th scope="col">Action</th></tr></thead>
          <tbody>
          {{#sources}}
          <tr class="status-{{status}}">
            <th scope="row"><a href="/admin/sources/{{id}}">{{title}}</a><br><small><code>{{id}}</code> · {{format}} · {{schedule}}</small></th>
            <td>{{status_label}}{{#consecutive_failures_text}}<br><small>{{consecutive_failures_text}}</small>{{/consecutive_failures_text}}</td>
            <td>{{last_success}}</td>
            <td>{{last_failure}}{{#last_error}}<br><small class="error">{{last_error}}</small>{{/last_error}}</td>
            <td>{{next_run}}</td>
            <td>{{#last_run}}<a href="/admin/runs/{{id}}">n° {{id}}</a> : {{summary}}{{/last_run}}</td>
            <td>{{#can_run}}<form method="post" action="/admin/sources/{{id}}/run"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Lancer maintenant</button></form>{{/can_run}}</td>
          </tr>
          {{/sources}}
          </tbody>
        </table></div>
        {{/body}}{{/adminlayout}}
        """

    static let source = """
        {{<adminlayout}}{{$body}}
        <h1>{{source.title}}</h1>
        <dl>
          <dt>Identifiant</dt><dd><code>{{source.id}}</code></dd>
          <dt>Adresse</dt><dd><code>{{source.url}}</code></dd>
          <dt>Format</dt><dd>{{source.format}}</dd>
          <dt>Calendrier</dt><dd>{{source.schedule}}</dd>
          <dt>État</dt><dd>{{source.status_label}}</dd>
          <dt>Fiches</dt><dd>{{source.listings}}</dd>
          <dt>Prochain run</dt><dd>{{next_run}}</dd>
        </dl>
        {{#held}}
        <div class="notice" role="alert">
          <h2>Exécution n° {{run_id}} en attente de validation</h2>
          <p>{{message}}</p>
          <form class="inline" method="post" action="/admin/sources/{{source.id}}/accept-shrink"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Accepter la baisse et relancer</button></form>
          <form class="inline" method="post" action="/admin/sources/{{source.id}}/reject-shrink"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Refuser : garder les fiches</button></form>
        </div>
        {{/held}}
        <h2>Runs</h2>
        <div class="table-scroll" tabindex="0"><table>
          <thead><tr><th scope="col">Run</th><th scope="col">Début</th><th scope="col">Déclenché par</th><th scope="col">Résultat</th><th scope="col">Message</th></tr></thead>
          <tbody>{{#runs}}<tr><th scope="row"><a href="/admin/runs/{{id}}">n° {{id}}</a></th><td>{{started}}</td><td>{{trigger}}</td><td>{{summary}}</td><td>{{message}}</td></tr>{{/runs}}</tbody>
        </table></div>
        {{/body}}{{/adminlayout}}
        """

    static let run = """
        {{<adminlayout}}{{$body}}
        <h1>Run n° {{run.id}} — <a href="/admin/sources/{{run.source_id}}">{{run.source_id}}</a></h1>
        <p>{{started}} → {{ended}} · déclenché par {{run.trigger}} · HTTP {{run.http_status}}</p>
        <p><strong>{{summary}}</strong></p>
        {{#run.message}}<p>{{run.message}}</p>{{/run.message}}
        <h2>Lignes rejetées et avertissements ({{issue_count}})</h2>
        {{#has_issues}}
        <div class="table-scroll" tabindex="0"><table>
          <thead><tr><th scope="col">Élément</th><th scope="col">Champ</th><th scope="col">Raison</th><th scope="col">Gravité</th></tr></thead>
          <tbody>{{#issues}}<tr><td>{{item}}</td><td>{{field}}</td><td>{{reason}}</td><td>{{severity_label}}</td></tr>{{/issues}}</tbody>
        </table></div>
        {{/has_issues}}
        {{^has_issues}}<p>Aucune.</p>{{/has_issues}}
        <h2>Changements</h2>
        {{> adminchangetable}}
        {{/body}}{{/adminlayout}}
        """

    static let changeTable = """
        {{#has_changes}}
        <div class="table-scroll" tabindex="0"><table>
          <thead><tr><th scope="col">Quand</th><th scope="col">Fiche</th><th scope="col">Quoi</th><th scope="col">Champ</th><th scope="col">Avant</th><th scope="col">Après</th><th scope="col">Par</th></tr></thead>
          <tbody>{{#changes}}<tr><td>{{at}}</td><td><a href="/admin/listings/{{service_id}}">{{service_name}}</a></td><td>{{action_label}}</td><td>{{field}}</td><td class="value">{{before}}</td><td class="value">{{after}}</td><td>{{by}}</td></tr>{{/changes}}</tbody>
        </table></div>
        {{/has_changes}}
        {{^has_changes}}<p>Aucun changement.</p>{{/has_changes}}
        """

    static let changes = """
        {{<adminlayout}}{{$body}}
        <h1>Changements</h1>
        <form method="get" action="/admin/changes" class="filters">
          <p><label for="since">Depuis le</label> <input id="since" name="since" type="date" value="{{since}}">
          <label for="until">jusqu’au</label> <input id="until" name="until" type="date" value="{{until}}">
          <label for="source">Source</label> <select id="source" name="source"><option value="">toutes</option>{{#source_options}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}}</option>{{/source_options}}</select>
          <button type="submit">Filtrer</button></p>
        </form>
        <p>{{line}}.</p>
        {{> adminchangetable}}
        {{/body}}{{/adminlayout}}
        """

    static let stale = """
        {{<adminlayout}}{{$body}}
        <h1>Fiches obsolètes</h1>
        <p>Ces fiches ont disparu de leurs sources. Elles restent affichées (marquées « à vérifier ») et sont retirées d’elles-mêmes après plusieurs imports sans elles — sauf si vous les gardez. Vous pouvez aussi les retirer tout de suite.</p>
        {{#has_items}}
        <div class="table-scroll" tabindex="0"><table>
          <thead><tr><th scope="col">Fiche</th><th scope="col">Obsolète depuis</th><th scope="col">Sources</th><th scope="col">Décision</th></tr></thead>
          <tbody>
          {{#items}}
          <tr>
            <th scope="row"><a href="/admin/listings/{{id}}">{{name}}</a><br><small>{{kind}} · {{place}}</small></th>
            <td>{{since}}</td><td>{{sources}}</td>
            <td>{{#kept}}Gardée.{{/kept}}{{^kept}}
              <form method="post" action="/admin/listings/{{id}}/keep" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Garder</button></form>{{/kept}}
              <form method="post" action="/admin/listings/{{id}}/remove" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Retirer définitivement</button></form>
            </td>
          </tr>
          {{/items}}
          </tbody>
        </table></div>
        {{/has_items}}
        {{^has_items}}<p>Aucune fiche obsolète.</p>{{/has_items}}
        {{/body}}{{/adminlayout}}
        """

    static let listings = """
        {{<adminlayout}}{{$body}}
        <h1>Fiches</h1>
        <form method="get" action="/admin/listings" role="search">
          <p><label for="q">Rechercher une fiche</label> <input id="q" name="q" type="search" value="{{q}}"> <button type="submit">Rechercher</button></p>
        </form>
        {{#searched}}<p>{{total_label}}.</p>
        <ul class="plain">{{#results}}<li><a href="/admin/listings/{{id}}">{{name}}</a> — {{kind}} · {{place}}{{#hidden}} <span class="badge closed">masquée</span>{{/hidden}}{{#stale}} <span class="badge stale">obsolète</span>{{/stale}}</li>{{/results}}</ul>
        {{/searched}}
        {{/body}}{{/adminlayout}}
        """

    static let listing = """
        {{<adminlayout}}{{$body}}
        <h1>{{name}}</h1>
        <p><a href="/ressources/{{id}}">Voir la fiche publique</a> · sources : {{sources}} · {{freshness}}{{#hidden}} · <span class="badge closed">masquée</span>{{/hidden}}{{#stale}} · <span class="badge stale">obsolète</span>{{/stale}}{{#demo}} · <span class="badge demo">données de démonstration</span>{{/demo}}</p>
        <div class="actions">
          <form method="post" action="/admin/listings/{{id}}/verify" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Marquer vérifiée aujourd’hui</button></form>
          <form method="post" action="/admin/listings/{{id}}/{{#hidden}}show{{/hidden}}{{^hidden}}hide{{/hidden}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">{{#hidden}}Afficher de nouveau{{/hidden}}{{^hidden}}Masquer{{/hidden}}</button></form>
        </div>
        <h2>Modifier</h2>
        <p>Une modification l’emporte sur les sources et survit aux imports suivants. Les valeurs sont lues comme à l’import (téléphones, adresses, horaires en français).</p>
        <form method="post" action="/admin/listings/{{id}}" class="stack">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{#fields}}
          <p>
            <label for="f-{{field}}">{{label}}</label>{{#curated}} <small class="curated">modifié par {{author}} le {{at}}</small>{{/curated}}{{^curated}}{{#origin}} <small class="muted">source : {{origin}}</small>{{/origin}}{{/curated}}<br>
            {{#long}}<textarea id="f-{{field}}" name="{{field}}" rows="3">{{value}}</textarea>{{/long}}{{^long}}<input id="f-{{field}}" name="{{field}}" value="{{value}}"{{#hint}} aria-describedby="h-{{field}}"{{/hint}}>{{/long}}
            {{#hint}}<br><small id="h-{{field}}" class="muted">{{hint}}</small>{{/hint}}
          </p>
          {{/fields}}
          <p><button type="submit">Enregistrer les modifications</button></p>
        </form>
        {{#has_curated_fields}}
        <h2>Modifications en vigueur</h2>
        <ul class="plain">{{#curated_fields}}<li>{{label}} ({{author}}, {{at}})
          <form method="post" action="/admin/listings/{{id}}/reset" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="field" value="{{field}}"><button type="submit" class="secondary">Revenir à la valeur des sources</button></form></li>{{/curated_fields}}</ul>
        {{/has_curated_fields}}
        <h2>Historique</h2>
        {{> adminchangetable}}
        {{/body}}{{/adminlayout}}
        """

    static let reports = """
        {{<adminlayout}}{{$body}}
        <h1>Signalements</h1>
        <p><a href="/admin/reports">À traiter</a> · <a href="/admin/reports?status=all">Tous</a></p>
        {{#has_reports}}
        {{#reports}}
        <article class="report">
          <h2><a href="/admin/listings/{{service_id}}">{{listing_name}}</a> <small>— n° {{id}}, {{created}}</small></h2>
          <p>{{message}}</p>
          {{#field}}<p>Champ : <strong>{{field_label}}</strong>{{#suggested}} — valeur proposée : <q>{{suggested}}</q>{{/suggested}}</p>{{/field}}
          {{#contact}}<p>Contact donné : {{contact}}</p>{{/contact}}
          {{#open}}
          <form method="post" action="/admin/reports/{{id}}/accept" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{#applies}}Accepter et appliquer{{/applies}}{{^applies}}Marquer traité{{/applies}}</button></form>
          <form method="post" action="/admin/reports/{{id}}/dismiss" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Écarter</button></form>
          {{/open}}
          {{^open}}<p class="muted">{{status_label}} par {{resolved_by}} le {{resolved_at}}</p>{{/open}}
        </article>
        {{/reports}}
        {{/has_reports}}
        {{^has_reports}}<p>Aucun signalement.</p>{{/has_reports}}
        {{/body}}{{/adminlayout}}
        """

    static let audit = """
        {{<adminlayout}}{{$body}}
        <h1>Journal des actions</h1>
        <div class="table-scroll" tabindex="0"><table>
          <thead><tr><th scope="col">Quand</th><th scope="col">Qui</th><th scope="col">Action</th><th scope="col">Objet</th><th scope="col">Détail</th></tr></thead>
          <tbody>{{#entries}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{target}}</td><td>{{detail}}</td></tr>{{/entries}}</tbody>
        </table></div>
        {{/body}}{{/adminlayout}}
        """
}
