import Foundation
import Mustache
import RelaisNormalize

/// The page templates (Mustache, HTML-escaped by default: every text from a
/// source is shown as text) and the stylesheet, compiled into the binary so a
/// copied executable needs no resource folder.
enum Templates {
    static let library: MustacheLibrary = {
        var lib = MustacheLibrary()
        for (name, text) in all {
            do { try lib.register(text, named: name) } catch { fatalError("template \(name): \(error)") }
        }
        return lib
    }()

    static var all: [(String, String)] {
        [("layout", layout), ("home", home), ("error", error)] + WebTemplates.all + AdminTemplates.all
    }

    static let layout = """
        <!DOCTYPE html>
        <html lang="fr">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{page.title}}</title>
        <link rel="stylesheet" href="/static/relais.css">
        </head>
        <body>
        <a class="skip" href="#contenu">Aller au contenu</a>
        <header>
          <p class="crisis"><strong>En cas d’urgence</strong> : idées suicidaires, pour vous ou un proche, appelez le <a href="tel:3114">3114</a> (24 h/24, gratuit) · urgence médicale : <a href="tel:15">15</a> · toute urgence : <a href="tel:112">112</a> · par SMS : <a href="sms:114">114</a></p>
          <div class="site">
          <a class="brand" href="/">Relais</a>
          <nav aria-label="Navigation principale">
            <ul>
              <li><a href="/orientation?audience=professionnel">Professionnels</a></li>
              <li><a href="/proches">Proches</a></li>
              <li><a href="/orientation?audience=personne">Personnes concernées</a></li>
              <li><a href="/annuaire">Annuaire</a></li>
            </ul>
          </nav>
          </div>
        </header>
        <main id="contenu">
        {{$body}}{{/body}}
        </main>
        <footer class="site">
          <p>Relais oriente vers des ressources d’entraide et de pair-aidance. Ce n’est pas une prescription médicale et cela ne remplace pas les soins. Aucune donnée sur les patients n’est enregistrée.</p>
          <p><a href="/admin">Administration</a></p>
        </footer>
        </body>
        </html>
        """

    static let home = """
        {{<layout}}{{$body}}
        <h1>Trouver un lieu d’entraide en santé mentale</h1>
        <p class="lead">Groupes d’entraide mutuelle, associations d’usagers et de familles, pairs-aidants, permanences : des ressources pour rompre l’isolement, soutenir un proche, se rétablir.</p>
        <section class="doors" aria-label="Vous êtes">
          <a class="door" href="/orientation?audience=professionnel"><strong>Je suis un·e professionnel·le</strong><span>Orienter un patient à la fin d’une consultation, imprimer une fiche.</span></a>
          <a class="door" href="/orientation?audience=proche"><strong>Je suis un proche</strong><span>Soutien aux familles, ateliers Prospect, groupes de parole.</span></a>
          <a class="door" href="/orientation?audience=personne"><strong>Je suis concerné·e</strong><span>GEM, pairs-aidants, associations d’usagers près de chez moi.</span></a>
        </section>
        <form class="search" action="/" method="get" role="search">
          <label for="q">Rechercher une ressource (nom, ville, type)</label>
          <div class="row"><input id="q" name="q" type="search" value="{{q}}" placeholder="ex. entraide Dijon, groupe de parole"><button type="submit">Rechercher</button></div>
        </form>
        {{#searched}}
        <section aria-live="polite">
        <h2>{{total_label}} pour « {{q}} »</h2>
        <ul class="results">
        {{#results}}
          <li><a href="/ressources/{{id}}">{{name}}</a> <span class="kind">{{kind}}</span> {{place}}{{#phone}} · <a href="tel:{{number}}">{{display}}</a>{{/phone}}{{#demo}} <span class="badge demo">données de démonstration</span>{{/demo}}{{#stale}} <span class="badge stale">à vérifier</span>{{/stale}}</li>
        {{/results}}
        </ul>
        </section>
        {{/searched}}
        {{/body}}{{/layout}}
        """

    static let error = """
        {{<layout}}{{$body}}
        <h1>{{title}}</h1>
        <p class="error" role="alert">{{message}}</p>
        <p><a href="/">Retour à l’accueil</a></p>
        {{/body}}{{/layout}}
        """

    static let cssETag = "\"" + Text.hash(css) + "\""
}
