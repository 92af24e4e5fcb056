/// Templates of the public pages. `{{ }}` escapes HTML: a listing named
/// `<img src=x onerror=alert(1)>` shows as text.
enum WebTemplates {
    static var all: [(String, String)] {
        [("orientation", orientation), ("suggestion", suggestion), ("resource", resource), ("sheet", sheet), ("families", families),
         ("browse", browse), ("reported", reported), ("emergencyBlock", emergencyBlock), ("contact", contact)]
    }

    static let emergencyBlock = """
        {{#emergency}}
        <section class="emergency" aria-labelledby="urgence">
          <h2 id="urgence">{{title}}</h2>
          <ul>
          {{#lines}}<li><a href="tel:{{number}}"><strong>{{number}}</strong></a> — {{when}}</li>{{/lines}}
          </ul>
          <p>Les ressources ci-dessous viennent en complément, jamais à la place de l’aide d’urgence.</p>
        </section>
        {{/emergency}}
        """

    static let contact = """
        <ul class="contact">
          {{#phones}}<li>Téléphone : <a href="tel:{{number}}">{{display}}</a>{{#note}} ({{note}}){{/note}}</li>{{/phones}}
          {{#email}}<li>Courriel : <a href="mailto:{{email}}">{{email}}</a></li>{{/email}}
          {{#website}}<li>Site : <a href="{{website}}" rel="noopener noreferrer">{{website}}</a></li>{{/website}}
          {{#address}}<li>Adresse : {{address}}{{#map}} — <a href="{{map}}" rel="noopener noreferrer">voir sur OpenStreetMap</a>{{/map}}</li>{{/address}}
        </ul>
        """

    static let suggestion = """
        <li class="sheet-item">
          <h3><a href="/ressources/{{id}}">{{name}}</a></h3>
          <p class="meta"><span class="kind">{{kind_label}}</span>{{#distance}} · {{distance}}{{/distance}}{{#remote}} · à distance{{/remote}}
          {{#demo}} <span class="badge demo">données de démonstration</span>{{/demo}}{{#stale}} <span class="badge stale">à vérifier</span>{{/stale}}{{#closed}} <span class="badge closed">temporairement fermé</span>{{/closed}}</p>
          {{#next}}<p><strong>{{next_label}} : {{next}}</strong></p>{{/next}}
          <ul class="reasons">{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>
          {{#languages}}<p>Langues parlées : {{languages}}</p>{{/languages}}
          {{#access}}<p>Accessibilité : {{access}}</p>{{/access}}
          {{>contact}}
          {{#pickable}}<label class="pick noprint"><input type="checkbox" name="ids" value="{{id}}"{{#picked}} checked{{/picked}}> Mettre sur la fiche</label>{{/pickable}}
        </li>
        """

    static let orientation = """
        {{<layout}}{{$body}}
        {{>emergencyBlock}}
        <h1>{{heading}}</h1>
        {{#searched}}
        <p class="question"><span class="visually-hidden">Votre question : </span>{{summary}} · <a href="#question">Modifier</a></p>
        {{/searched}}
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#has_choices}}
        <div class="error" role="alert"><p>Plusieurs communes portent ce nom : choisissez.</p>
        <ul>{{#choices}}<li><a href="{{href}}">{{label}}</a></li>{{/choices}}</ul></div>
        {{/has_choices}}
        {{#searched}}
        <section aria-labelledby="resultats">
        <h2 id="resultats">{{count_label}}</h2>
        {{#nothing_near}}
        <div class="notice" role="status">
          <p>{{message}}</p>
          {{#has_beyond}}<ul>{{#beyond}}<li><a href="/ressources/{{id}}">{{name}}</a>{{#place}}, {{place}}{{/place}} — à {{distance}}</li>{{/beyond}}</ul>{{/has_beyond}}
          <p class="actions">{{#links}}<a class="button secondary" href="{{href}}">{{label}}</a> {{/links}}</p>
        </div>
        {{/nothing_near}}
        {{^count}}<p>Aucune ressource ne correspond : élargissez la distance, ajoutez un besoin ou retirez une contrainte.</p>{{/count}}
        <form action="/fiche" method="get">
          {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
          <ol class="results">
          {{#suggestions}}{{>suggestion}}{{/suggestions}}
          </ol>
          {{#count}}<p class="noprint"><button type="submit">Préparer la fiche d’orientation à imprimer</button></p>
          <p class="meta noprint">Les trois premières ressources sont cochées : cochez ou décochez « Mettre sur la fiche » pour choisir celles à remettre.</p>{{/count}}
        </form>
        <p class="meta noprint"><a href="{{permalink}}" data-permalink>Adresse de ces résultats</a> (sans le texte de la situation)</p>
        </section>
        {{/searched}}
        <p class="disclaimer">{{disclaimer}}</p>
        <details class="ask" id="question"{{^searched}} open{{/searched}}>
        <summary>{{#searched}}Modifier la question{{/searched}}{{^searched}}Votre question{{/searched}}</summary>
        <form class="orientation noprint" action="/orientation" method="post">
          <fieldset>
            <legend>Pour qui ?</legend>
            <div class="checks">
            {{#audiences}}<label><input type="radio" name="audience" value="{{id}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/audiences}}
            </div>
          </fieldset>
          <fieldset>
            <legend>Quels besoins ?</legend>
            <div class="checks">
            {{#needs}}<label><input type="checkbox" name="needs" value="{{id}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/needs}}
            </div>
          </fieldset>
          <label for="near">Où ? (code postal ou commune)</label>
          <input id="near" name="near" type="text" value="{{near}}" autocomplete="postal-code" required>
          <div class="row">
            <div><label for="radius_km">Distance</label>
            <select id="radius_km" name="radius_km">{{#radii}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/radii}}</select></div>
            <div><label for="modalite">Comment ?</label>
            <select id="modalite" name="modalite">{{#modalities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/modalities}}</select></div>
            <div><label for="within_days">Quand ?</label>
            <select id="within_days" name="within_days">{{#windows}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/windows}}</select></div>
          </div>
          <div class="row">
            <div><label for="langue">Langue d’accueil</label>
            <select id="langue" name="langue">{{#languages}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/languages}}</select></div>
            <div><label for="accessible">Accessibilité</label>
            <select id="accessible" name="accessible">{{#accesses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/accesses}}</select></div>
          </div>
          <label for="situation">La situation en quelques mots (facultatif)</label>
          <textarea id="situation" name="situation" rows="2" maxlength="1000" aria-describedby="situation-aide"></textarea>
          <p id="situation-aide" class="meta">Ce texte sert seulement à repérer une urgence pour afficher d’abord les numéros d’aide. Il n’est ni enregistré ni conservé. N’indiquez ni nom ni diagnostic.</p>
          <p><button type="submit">Trouver des ressources</button></p>
        </form>
        </details>
        <script src="/static/relais.js"></script>
        {{/body}}{{/layout}}
        """

    static let resource = """
        {{<layout}}{{$body}}
        <article>
        <h1>{{name}}</h1>
        <p class="meta"><span class="kind">{{kind_label}}</span>{{#demo}} <span class="badge demo">données de démonstration</span>{{/demo}}{{#stale}} <span class="badge stale">à vérifier : n’apparaît plus dans sa source</span>{{/stale}}{{#closed}} <span class="badge closed">temporairement fermé</span>{{/closed}}{{#inactive}} <span class="badge closed">inactif</span>{{/inactive}}</p>
        {{#alternate_name}}<p>{{alternate_name}}</p>{{/alternate_name}}
        {{#description}}<p>{{description}}</p>{{/description}}
        <dl class="facts">
          {{#organization}}<dt>Organisme</dt><dd>{{organization}}</dd>{{/organization}}
          {{#parent}}<dt>Antenne de</dt><dd><a href="/ressources/{{id}}">{{name}}</a></dd>{{/parent}}
          {{#sponsor}}<dt>Parrain</dt><dd>{{sponsor}}</dd>{{/sponsor}}
          {{#manager}}<dt>Gestionnaire</dt><dd>{{manager}}</dd>{{/manager}}
          <dt>Pour</dt><dd>{{audiences}}{{#audience_note}} — {{audience_note}}{{/audience_note}}</dd>
          <dt>Besoins</dt><dd>{{needs}}</dd>
          <dt>Accès</dt><dd>{{modalities}}</dd>
          {{#languages}}<dt>Langues parlées</dt><dd>{{languages}}</dd>{{/languages}}
          {{#access}}<dt>Accessibilité</dt><dd>{{access}}{{#access_note}} — {{access_note}}{{/access_note}}{{#access_url}} — <a href="{{access_url}}" rel="noopener noreferrer">fiche Accèslibre</a>{{/access_url}}</dd>{{/access}}
          {{^access}}{{#access_note}}<dt>Accessibilité</dt><dd>{{access_note}}{{#access_url}} — <a href="{{access_url}}" rel="noopener noreferrer">fiche Accèslibre</a>{{/access_url}}</dd>{{/access_note}}{{^access_note}}{{#access_url}}<dt>Accessibilité</dt><dd><a href="{{access_url}}" rel="noopener noreferrer">fiche Accèslibre</a></dd>{{/access_url}}{{/access_note}}{{/access}}
          {{#fees}}<dt>Participation</dt><dd>{{fees}}</dd>{{/fees}}
          {{#eligibility}}<dt>Conditions</dt><dd>{{eligibility}}</dd>{{/eligibility}}
          {{#registration}}<dt>Inscription</dt><dd>{{registration}}</dd>{{/registration}}
        </dl>
        <h2>Horaires</h2>
        {{#has_schedule}}<ul>{{#schedule}}<li>{{.}}</li>{{/schedule}}</ul>{{/has_schedule}}
        {{^has_schedule}}<p>Horaires non précisés{{#schedule_text}} (la source indique : « {{schedule_text}} »){{/schedule_text}} : appeler avant de venir.</p>{{/has_schedule}}
        {{#has_schedule}}{{#schedule_text}}<p class="meta">Texte de la source : « {{schedule_text}} »</p>{{/schedule_text}}{{/has_schedule}}
        {{#has_next}}<h3>Prochaines dates</h3><ul>{{#next}}<li>{{.}}</li>{{/next}}</ul>{{/has_next}}
        {{#has_sessions}}
        <h2>Sessions</h2>
        <ul>{{#sessions}}<li><strong>{{title}}</strong> : {{days}}{{#place}} — {{place}}{{/place}}{{#online}} (en ligne){{/online}}{{#price}} — {{price}}{{/price}}{{#registration}} — inscription : {{registration}}{{/registration}}</li>{{/sessions}}</ul>
        {{/has_sessions}}
        <h2>Contact</h2>
        {{>contact}}
        <h2>Sources</h2>
        <ul>{{#sources}}<li>{{.}}</li>{{/sources}}</ul>
        <p>{{freshness}}</p>
        </article>
        <section class="noprint" aria-labelledby="signaler">
          <h2 id="signaler">Signaler une erreur</h2>
          <p>Une information est fausse ou a changé ? Dites-le-nous : un administrateur vérifiera. N’indiquez aucune information sur une personne suivie.</p>
          <form action="/ressources/{{id}}/signaler" method="post">
            <label for="field">Ce qui est faux</label>
            <select id="field" name="field">
              <option value="">(autre)</option><option value="phones">Téléphone</option><option value="emails">Courriel</option>
              <option value="address">Adresse</option><option value="schedule">Horaires</option><option value="status">N’existe plus / a fermé</option>
              <option value="name">Nom</option><option value="description">Description</option>
              <option value="languages">Langues parlées</option><option value="accessibility">Accessibilité</option>
            </select>
            <label for="message">Votre message</label>
            <textarea id="message" name="message" rows="4" maxlength="{{max_message}}" required></textarea>
            <label for="suggested">La bonne information (facultatif)</label>
            <input id="suggested" name="suggested" type="text" maxlength="500">
            <label for="contact_email">Votre courriel, si vous acceptez d’être recontacté·e (facultatif)</label>
            <input id="contact_email" name="contact_email" type="email" maxlength="200">
            <div class="hp" aria-hidden="true"><label for="website_hp">Ne pas remplir</label><input id="website_hp" name="website_hp" type="text" tabindex="-1" autocomplete="off"></div>
            <p><button type="submit">Envoyer</button></p>
          </form>
        </section>
        {{/body}}{{/layout}}
        """

    static let reported = """
        {{<layout}}{{$body}}
        <h1>Merci</h1>
        <p>Votre signalement sur « {{name}} » a été transmis aux administrateurs de l’annuaire.</p>
        <p><a href="/ressources/{{id}}">Retour à la fiche</a></p>
        {{/body}}{{/layout}}
        """

    static let sheet = """
        {{<layout}}{{$body}}
        <div class="sheet">
        {{>emergencyBlock}}
        <h1>Fiche d’orientation — entraide et pair-aidance</h1>
        <p class="meta">Remise le {{date}}{{#place}} · autour de {{place}}{{/place}}{{#needs}} · besoins : {{needs}}{{/needs}}</p>
        <ol class="results">
        {{#items}}
          <li class="sheet-item">
            <h2>{{name}}</h2>
            <p class="meta">{{kind_label}}{{#distance}} · {{distance}}{{/distance}}{{#demo}} · données de démonstration{{/demo}}</p>
            {{#why}}<p><strong>Pourquoi :</strong> {{why}}</p>{{/why}}
            {{#when}}<p><strong>Quand :</strong> {{when}}</p>{{/when}}
            {{#dates}}<p><strong>Prochaines dates :</strong> {{dates}}</p>{{/dates}}
            {{#address}}<p><strong>Où :</strong> {{address}}{{#access}} ({{access}}){{/access}}</p>{{/address}}
            {{#languages}}<p><strong>Langues :</strong> {{languages}}</p>{{/languages}}
            {{#contact}}<p><strong>Contact :</strong> {{contact}}</p>{{/contact}}
            {{#registration}}<p><strong>Inscription :</strong> {{registration}}</p>{{/registration}}
          </li>
        {{/items}}
        </ol>
        {{^items}}<p>Aucune ressource choisie : revenez aux résultats et cochez les ressources à mettre sur la fiche.</p>{{/items}}
        <p class="disclaimer">{{disclaimer}}</p>
        <p class="meta"><strong>En cas d’urgence :</strong> 3114 (prévention du suicide, 24 h/24) · 15 (SAMU) · 112 · SMS 114. Cette fiche n’est pas enregistrée par Relais.</p>
        <div class="noprint actions">
          <p><button type="button" data-print>Imprimer la fiche</button> <a class="button secondary" href="{{back}}">Revenir aux résultats</a></p>
          {{#has_items}}<p>Partager la fiche depuis votre appareil (Relais n’envoie ni ne garde rien) : <a class="button secondary" href="{{sms}}">par SMS</a> <a class="button secondary" href="{{mailto}}">par courriel</a></p>{{/has_items}}
        </div>
        </div>
        <script src="/static/relais.js"></script>
        {{/body}}{{/layout}}
        """

    static let families = """
        {{<layout}}{{$body}}
        <h1>Vous accompagnez un proche</h1>
        <p class="lead">Parents, conjoints, frères et sœurs, amis : vous n’êtes pas seuls. Des familles formées vous écoutent, vous informent et vous proposent des ateliers.</p>
        <form action="/proches" method="get" class="noprint">
          <label for="near">Près de (code postal ou commune)</label>
          <div class="row"><input id="near" name="near" type="text" value="{{near}}" required><button type="submit">Voir</button></div>
        </form>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#searched}}
        <section aria-labelledby="ateliers">
          <h2 id="ateliers">Ateliers Prospect et groupes de parole à venir</h2>
          {{^has_sessions}}<p>Aucune session datée à venir près de {{place}}.</p>{{/has_sessions}}
          <ul class="results">
          {{#sessions}}<li><h3><a href="/ressources/{{listing_id}}">{{title}}</a></h3><p class="meta"><span class="kind">{{kind_label}}</span>{{#distance}} · {{distance}}{{/distance}}{{#demo}} <span class="badge demo">données de démonstration</span>{{/demo}}</p>
          <ul>{{#days}}<li>{{.}}</li>{{/days}}</ul>{{#place}}<p><strong>Où :</strong> {{place}}</p>{{/place}}{{#online}}<p>En ligne</p>{{/online}}{{#registration}}<p><strong>Inscription :</strong> {{registration}}</p>{{/registration}}{{#phone}}<p><strong>Contact :</strong> <a href="tel:{{number}}">{{display}}</a></p>{{/phone}}</li>{{/sessions}}
          </ul>
          {{#has_sessions}}<p class="subscribe">Ces sessions dans votre agenda : <a class="button secondary" href="{{webcal}}">s’abonner (agenda du téléphone ou de l’ordinateur)</a> <a href="{{calendar}}">télécharger le fichier iCalendar (.ics)</a></p>{{/has_sessions}}
        </section>
        <section aria-labelledby="familles">
          <h2 id="familles">Associations de familles et pairs-aidants famille (APAF)</h2>
          <ol class="results">{{#associations}}{{>suggestion}}{{/associations}}</ol>
          {{^has_associations}}<p>Aucune association de familles référencée près de {{place}}.</p>{{/has_associations}}
        </section>
        {{/searched}}
        <section aria-labelledby="lignes">
          <h2 id="lignes">Lignes d’écoute pour les proches</h2>
          <ol class="results">{{#lines}}{{>suggestion}}{{/lines}}</ol>
        </section>
        <p class="disclaimer">{{disclaimer}}</p>
        {{/body}}{{/layout}}
        """

    static let browse = """
        {{<layout}}{{$body}}
        <h1>L’annuaire</h1>
        <form action="/annuaire" method="get" class="noprint">
          <div class="row">
            <div><label for="departement">Département</label>
            <select id="departement" name="departement"><option value="">Tous</option>{{#departements}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}} — {{name}}</option>{{/departements}}</select></div>
            <div><label for="kind">Type</label>
            <select id="kind" name="kind"><option value="">Tous</option>{{#kinds}}<option value="{{id}}"{{#checked}} selected{{/checked}}>{{label}}</option>{{/kinds}}</select></div>
            <div><label for="langue">Langue</label>
            <select id="langue" name="langue">{{#languages}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/languages}}</select></div>
            <div><label for="accessible">Accessibilité</label>
            <select id="accessible" name="accessible">{{#accesses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/accesses}}</select></div>
            <div><label for="q">Mots</label><input id="q" name="q" type="search" value="{{q}}"></div>
          </div>
          <p><button type="submit">Afficher</button></p>
        </form>
        <h2>{{total_label}}{{#scope}} — {{scope}}{{/scope}}</h2>
        <ul class="results">
        {{#results}}<li><a href="/ressources/{{id}}">{{name}}</a> <span class="kind">{{kind}}</span> {{place}}{{#demo}} <span class="badge demo">données de démonstration</span>{{/demo}}{{#stale}} <span class="badge stale">à vérifier</span>{{/stale}}</li>{{/results}}
        </ul>
        <nav class="pager" aria-label="Pages">
          {{#previous}}<a href="{{previous}}" rel="prev">← Page précédente</a>{{/previous}}
          <span>Page {{pageNumber}} sur {{pages}}</span>
          {{#next}}<a href="{{next}}" rel="next">Page suivante →</a>{{/next}}
        </nav>
        {{/body}}{{/layout}}
        """

    static let script = """
        // Progressive enhancement only: every function works without it.
        document.querySelectorAll("[data-print]").forEach(function (b) {
          b.addEventListener("click", function () { window.print(); });
        });
        // Results of a posted form: give the page its address (without the situation's text),
        // so that reloading or coming back asks again by GET.
        // « Modifier »: unfold the question's form and go to it.
        document.querySelectorAll('a[href="#question"]').forEach(function (a) {
          a.addEventListener("click", function () { var d = document.getElementById("question"); if (d) { d.open = true; } });
        });
        var permalink = document.querySelector("[data-permalink]");
        if (permalink && window.history && history.replaceState) { history.replaceState(null, "", permalink.getAttribute("href")); }
        """
}
