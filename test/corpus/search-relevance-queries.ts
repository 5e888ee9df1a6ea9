/**
 * The search relevance check's queries, written by reading the real data in
 * ../shared/testdata (not by running our search): the houstondatavis Slack
 * export (channels by name), the Slack Q&A chats (channels `racket-general`,
 * `elmlang-general`, `clojurians-clojure`, ts = the XML's ISO time as epoch
 * seconds) and the Miraheze Server Admin Log (`server-admin-log`, ts = the
 * entry's minute + a per-minute sequence, see the SAL adapter).
 *
 * `expect` lists the messages a reader looking for this would want to see
 * (every one of them when there are few, the ones the query is clearly about
 * otherwise), by channel and ts; `text` is a fragment of the message, checked
 * by the test so a key can never silently point at another message.
 */

export type TExpectedHit = { ch: string; ts: string; text: string };

export type TRelevanceQuery = {
  q: string;
  /** What the query exercises. */
  kind: "words" | "stemming" | "phrase" | "ops" | "operators" | "typo" | "prefix";
  expect: TExpectedHit[];
  /** Search as you type: the last word is a prefix. */
  prefixLast?: boolean;
};

const h = (ch: string, ts: string, text: string): TExpectedHit => ({ ch, ts, text });
const sal = (ts: string, text: string) => h("server-admin-log", ts, text);
const racket = (ts: string, text: string) => h("racket-general", ts, text);
const elm = (ts: string, text: string) => h("elmlang-general", ts, text);
const clj = (ts: string, text: string) => h("clojurians-clojure", ts, text);

export const RELEVANCE_QUERIES: TRelevanceQuery[] = [
  // ---- houstondatavis (a data-visualisation meetup's workspace, 2015–2016)
  { q: "igraph network analysis", kind: "words", expect: [h("tools", "1433861071.000009", "igraph is a collection of network analysis tools")] },
  {
    q: "Authorea",
    kind: "words",
    expect: [
      h("sci", "1468693875.000009", "has anyone looked at Authorea"),
      h("sci", "1468803858.000002", "I tried Authorea"),
      h("sci", "1468899157.000007", "give Authorea a try"),
    ],
  },
  {
    q: "choropleth",
    kind: "stemming",
    expect: [
      h("datajam", "1434772042.000005", "playing around with choropleths"),
      h("examples", "1438137792.000003", "a choropleth map that lets you zoom"),
      h("examples", "1438137822.000004", "|choropleth>"),
    ],
  },
  {
    q: "potholes",
    kind: "words",
    expect: [
      h("datajam", "1461814378.000005", "houston-potholes"),
      h("get_feedback", "1465604050.000024", "houston.shinyapps.io/potholes"),
      h("get_feedback", "1465606522.000033", "Film noir movie about potholes"),
    ],
  },
  {
    q: '"adjacency matrix"',
    kind: "phrase",
    expect: [
      h("examples", "1433865176.000003", "an adjacency matrix with Lightning"),
      h("datajam", "1439056358.000038", "an adjacency matrix of topics"),
      h("team-d3", "1439062941.000034", "meetup topic adjacency matrix"),
      h("datajam", "1439062980.000044", "meetup topic adjacency matrix"),
      h("datasets", "1449174908.000008", "an adjacency matrix,  and a human body diagram"),
    ],
  },
  { q: "in:#tools git aliases", kind: "operators", expect: [h("tools", "1444374582.000004", "these git aliases really speed up my workflow")] },
  { q: "from:@micahstubbs vispy", kind: "operators", expect: [h("tools", "1434078082.000015", "have you seen vispy?")] },
  { q: "ggplot2-cheatsheet-2.0.pdf", kind: "ops", expect: [h("tools", "1451405160.000005", "ggplot2-cheatsheet-2.0.pdf")] },
  {
    q: "ggplot2",
    kind: "words",
    expect: [h("tools", "1451405117.000002", "a new version of ggplot2 is out!"), h("tools", "1451405160.000005", "ggplot2-cheatsheet-2.0.pdf")],
  },
  { q: "meetupdata-Aug-08-2015-ext.csv", kind: "ops", expect: [h("datajam", "1439049900.000034", "`meetupdata-Aug-08-2015-ext.csv`")] },
  {
    q: "bl.ocks.org/micahstubbs/1fa88ce2b089f8f04143",
    kind: "ops",
    expect: [h("team-d3", "1439062959.000035", "1fa88ce2b089f8f04143"), h("datajam", "1439062964.000043", "1fa88ce2b089f8f04143")],
  },
  {
    q: "sharelatx",
    kind: "typo",
    expect: [
      h("sci", "1468693875.000009", "Authorea or ShareLaTeX?"),
      h("sci", "1468803858.000002", "I used ShareLatex for a paper"),
      h("sci", "1468840693.000006", "I like the look of ShareLaTeX"),
      h("sci", "1468864976.000011", "shareLaTeX is uber cool"),
      h("sci", "1468898913.000004", "shareLaTeX?"),
      h("sci", "1468899157.000007", "something like shareLaTeX"),
      h("sci", "1468899272.000008", "why I like shareLaTeX much better"),
    ],
  },
  {
    q: "mybind",
    kind: "prefix",
    prefixLast: true,
    expect: [
      h("sci", "1468691982.000004", "I have seen mybinder before"),
      h("sci", "1468692200.000007", "I was hoping to try mybinder this weekend"),
      h("sci", "1468711376.000002", "mybinder.org"),
      h("sci", "1468726735.000003", "app.mybinder.org"),
    ],
  },
  {
    q: "during:2016-07 brain",
    kind: "operators",
    expect: [
      h("sci", "1468458613.000007", "observatory.brain-map.org"),
      h("sci", "1468672058.000009", "development of the human brain"),
      h("sci", "1469119514.000002", "updated-human-brain-map"),
    ],
  },
  { q: "has:link latex editor", kind: "operators", expect: [h("sci", "1468855500.000008", "LyX editor (<https://www.lyx.org/>)")] },
  { q: "religious affiliation codes", kind: "stemming", expect: [h("datajam", "1466872695.000012", "religious affiliations codes")] },
  { q: "Les Becker Harris County health", kind: "words", expect: [h("datajam", "1446567461.000002", "Met Les Becker of Harris County Public Health")] },
  { q: "from:@neerajt in:#sci latex", kind: "operators", expect: [h("sci", "1468840693.000006", "start using LaTeX")] },
  {
    q: "Authorea OR overleaf",
    kind: "operators",
    expect: [
      h("sci", "1468693875.000009", "has anyone looked at Authorea"),
      h("sci", "1468803858.000002", "I tried Authorea"),
      h("sci", "1468899157.000007", "give Authorea a try"),
      h("sci", "1468940851.000003", "www.overleaf.com"),
    ],
  },

  // ---- Miraheze Server Admin Log (operators and a bot, 2015–2024)
  { q: "db4 swapoff", kind: "ops", expect: [sal("1546042500.000001", "swapoff -a && swapon -a on db4")] },
  { q: "prometheus-mysqld-exporter db4", kind: "ops", expect: [sal("1543439520.000001", "installing prometheus-mysqld-exporter on db4")] },
  { q: "mariadb 10.2.19", kind: "ops", expect: [sal("1545232560.000001", "upgrading db4 to debian 9.6 and also mariadb to 10.2.19")] },
  { q: "exit=36608", kind: "ops", expect: [sal("1675133580.000001", "refreshLinks.php --wiki=imaginarypediawiki (END - exit=36608)")] },
  { q: "importDump.php exit=512", kind: "ops", expect: [sal("1645252560.000002", "--wiki=luigismansionwiki")] },
  { q: "dropped puppetdb postgresql", kind: "stemming", expect: [sal("1545246780.000001", "dropping puppetdb on postgresql (on db4)")] },
  { q: "T3621", kind: "ops", expect: [sal("1543858020.000001", "applying grants on db4 for [https://phabricator.miraheze.org/T3621]")] },
  {
    q: "/srv/redis",
    kind: "ops",
    expect: [sal("1577753880.000001", "root@misc2:/srv/redis# rm appendonly.aof"), sal("1577753880.000002", "root@misc2:/srv/redis# rm dump.rdb")],
  },
  { q: "from:@paladox dump.rdb", kind: "operators", expect: [sal("1577753880.000002", "root@misc2:/srv/redis# rm dump.rdb")] },
  { q: "donate.miraheze.org", kind: "ops", expect: [sal("1577643600.000001", "varnish> ban req.http.Host == donate.miraheze.org")] },
  {
    q: "populateGroupPermissionsWithDefaults.php cosasdemifamiliawiki",
    kind: "ops",
    expect: [sal("1577658480.000001", "populateGroupPermissionsWithDefaults.php --wiki=cosasdemifamiliawiki")],
  },
  { q: "restarted db4 high load cpu", kind: "stemming", expect: [sal("1541871060.000001", "restarted db4 to reduce load and cpu as it was quite high")] },
  {
    q: "command:deploy status:failed l10nupdate during:2022-01",
    kind: "operators",
    expect: [
      sal("1643583600.000002", "[@mwtask111] starting deploy of {'l10nupdate': True} to all"),
      sal("1642750200.000001", "[reception@mwtask111] starting deploy of {'config': True, 'l10nupdate': True"),
      sal("1642719600.000002", "[@mwtask111] starting deploy of {'l10nupdate': True} to scsvg"),
      sal("1641769200.000003", "[@test101] starting deploy of {'l10nupdate': True} to skip"),
      sal("1641770520.000001", "[universalomega@test101] starting deploy of {'l10nupdate': True} to skip"),
      sal("1641682860.000002", "[@test101] starting deploy of {'l10nupdate': True} to skip"),
      sal("1641596400.000001", "[@mwtask111] starting deploy of {'l10nupdate': True} to scsvg"),
    ],
  },
  { q: "reopened wikiconstitucio.miraheze.org", kind: "ops", expect: [sal("1467289860.000001", "reopened wikiconstitucio.miraheze.org")] },
  {
    q: "during:2019-12 php7.3-fpm lizardfs6",
    kind: "operators",
    expect: [
      sal("1575506940.000001", "restart php7.3-fpm on mw[123] and lizardfs6"),
      sal("1577058900.000001", "restart nginx & php7.3-fpm on mw* and lizardfs6"),
      sal("1577662320.000001", "restart nginx and php7.3-fpm on mw* and lizardfs6"),
      sal("1577746020.000001", "restart nginx and php7.3-fpm on mw* and lizardfs6"),
    ],
  },
  {
    q: "nukeNS.php polandballwiki exit=2",
    kind: "ops",
    expect: [
      sal("1637195280.000001", "nukeNS.php --wiki=polandballwiki --all --ns=3002 (END - exit=2)"),
      sal("1637360880.000001", "nukeNS.php --wiki=polandballwiki --delete --all --ns=3010 (END - exit=2)"),
    ],
  },
  { q: "hhvm segfault", kind: "words", expect: [sal("1443611460.000001", "restarted hhvm, disable extension causing segfault")] },
  {
    q: "is:bot refreshLinks.php imaginarypediawiki exit=2",
    kind: "operators",
    expect: [sal("1675116000.000003", "refreshLinks.php --wiki=imaginarypediawiki (END - exit=2)")],
  },

  // ---- Slack Q&A chats (racket, elm, clojure communities)
  {
    q: "numerator denominator",
    kind: "words",
    expect: [
      racket("1552751852.737100", "extract the numerator and denominator of an `exact?` number"),
      racket("1552752144.738500", "q=denominator"),
      clj("1550238376.502500", "reduce the numerator and denomina"),
      clj("1550238415.502700", "if the numerator and denominator get large"),
    ],
  },
  { q: "disable hygiene macro", kind: "words", expect: [racket("1521797538.000082", "disable hygiene in a macro definition")] },
  {
    q: "elm-ui media queries",
    kind: "ops",
    expect: [elm("1546943274.802800", "Has anyone experimented with elm-ui"), elm("1546943476.804300", "haven't done animation or media queries yet")],
  },
  { q: "Url.Parser arbitrarily deep paths", kind: "ops", expect: [elm("1549466970.002100", "consumes arbitrarily deep paths")] },
  {
    q: '"topological sort"',
    kind: "phrase",
    expect: [
      racket("1551922116.408500", "How can you do a topological sort on things"),
      racket("1551922619.416200", "is there an implementation of topological sort"),
      racket("1551923687.425700", "The reason for the topological sort"),
      racket("1551935329.528400", "I got the topological sort to work"),
    ],
  },
  {
    // Exclusion is stemmed: "I got the topological sort to work … inherit things" is left out too.
    q: '"topological sort" -inheritance',
    kind: "operators",
    expect: [
      racket("1551922116.408500", "How can you do a topological sort on things"),
      racket("1551922619.416200", "is there an implementation of topological sort"),
    ],
  },
  { q: "topological sorting algorithm", kind: "stemming", expect: [racket("1519746404.000627", "Does Racket include a topological sorting algorithm")] },
  { q: "rsvg segfault", kind: "words", expect: [racket("1522242148.000260", "the `rsvg` package on os x causes Racket to segfault")] },
  {
    q: "Kafka Streams",
    kind: "words",
    expect: [clj("1547132231.499000", "write Kafka Streams code in Clojure"), clj("1551255069.405800", "It even supports the Kafka Streams stuff")],
  },
  {
    q: "elm/http 2.0.0",
    kind: "ops",
    expect: [
      elm("1546864426.728500", "upgrading from elm/http 1.0.0 to elm/http 2.0.0"),
      elm("1550190641.410500", "You're using `elm/http 2.0.0`"),
      elm("1550190763.411200", "will work with `elm/http 2.0.0`"),
    ],
  },
  {
    q: "Date.fromString",
    kind: "ops",
    expect: [
      elm("1546275402.417700", "Is there an equivalent for `Date.fromString`"),
      elm("1549944565.120800", 'Date.fromString "Cisco 6807"'),
      elm("1549946025.127100", "Hence why `Date.fromString` was removed"),
      elm("1556559516.203100", "`elm-lang/Date.fromString`"),
    ],
  },
  {
    q: "vscode-elm WSL",
    kind: "ops",
    expect: [elm("1552841699.304600", "set up vscode-elm to work with a WSL installation"), elm("1552852821.312600", "configure vscode-elm to work with WSL")],
  },
  {
    q: "add-lib tools.deps.alpha",
    kind: "ops",
    expect: [
      clj("1548780836.767800", "new version of tools.deps.alpha with ’add-lib function"),
      clj("1548782338.781800", "take the code from add-lib branch"),
      clj("1556174699.044000", "tools.deps.alpha/search?q=add-lib"),
    ],
  },
  { q: "swagger.json spec", kind: "ops", expect: [clj("1548885703.895400", "converting a swagger.json file")] },
  {
    q: "github.com/racket/racket/issues/2019",
    kind: "ops",
    expect: [racket("1522298771.000354", "Due to #2019"), racket("1522932370.000374", "Do you know what's going on here?")],
  },
  {
    q: "from:@Celestine toucan",
    kind: "operators",
    expect: [
      clj("1557623187.078500", "Not sure I see the point of using `toucan`"),
      clj("1557623437.082300", "that doesn't use `toucan` at all"),
      clj("1557623532.084300", "there's a problem with `toucan`"),
    ],
  },
  { q: "Elastisch version", kind: "words", expect: [clj("1551454118.140100", "Which version of Elastisch are you using?")] },
  { q: "or/c associative", kind: "ops", expect: [racket("1525875191.000329", "is `or/c` associative")] },
  {
    q: "unchunk",
    kind: "stemming",
    expect: [
      clj("1552301529.751300", "(defn unchunk"),
      clj("1552998563.336400", "lazy seq, unchunked"),
      clj("1552999223.341400", "faster than unchunked"),
      clj("1559020824.204300", "(defn unchunk [s]"),
      clj("1559020856.204900", "(map f) unchunk)"),
      clj("1559020900.205900", "coll unchunk (map f)"),
      clj("1559021081.210800", "unchunkable"),
      clj("1559021515.219800", "why isn't `unchunk` - a core fn?"),
    ],
  },
  { q: "GEM_HOME", kind: "ops", expect: [racket("1496174271.165626", "in ruby we can set GEM_HOME")] },
  {
    q: "from:@Priscila reopen",
    kind: "operators",
    expect: [racket("1546232817.053700", "Voted to reopen."), racket("1546233439.055000", "Then click reopen.")],
  },
  { q: "in:#elmlang-general onInput select dropdown", kind: "operators", expect: [elm("1549841498.000600", "when a select dropdown changes value")] },
  { q: "kubernets sessions redis", kind: "typo", expect: [clj("1547473797.656600", "What do you use for sessions in *clouds* with solution like kubernetes?")] },
  { q: "hygeine macro", kind: "typo", expect: [racket("1521797538.000082", "disable hygiene in a macro definition"), racket("1520184799.000030", "macro hygiene")] },
  // Remembered roughly, in everyday words (the community's own name is in every other message).
  { q: "racket on chez buzz", kind: "words", expect: [racket("1530972808.000059", "this whole Racket on Chez thing")] },
  { q: "background a shelled out process", kind: "stemming", expect: [racket("1507196547.000222", "background a shelled out process in Racket")] },
  { q: "free svg editor", kind: "words", expect: [racket("1509024999.000027", "find a free SVG editor")] },
  { q: "highlight js post request content", kind: "words", expect: [elm("1554690410.720000", "my page uses post request again to add content")] },
  {
    q: "clojure memory 256 MB",
    kind: "words",
    expect: [clj("1547010775.342300", "Hello worlds still consume 256 MB?"), clj("1547011325.345000", "Clojure wrapper for Java takes around 256 MB")],
  },
  { q: "subclass lazy sequence protocol", kind: "words", expect: [clj("1555850227.306600", 'How can I "subclass" a lazy sequence')] },
  { q: "jupyter R mac", kind: "words", expect: [h("tools", "1434854599.000051", "have you gotten R to work in the Jupyter notebook on a mac?")] },
  {
    q: "git bash console2",
    kind: "words",
    expect: [
      h("tools", "1434126812.000034", "git bash + Console2"),
      h("tools", "1434126864.000039", "selecting git bash as your shell in Console2"),
      h("tools", "1434127015.000040", "Git Bash + Console2"),
    ],
  },
  { q: "windows terminal setup", kind: "words", expect: [h("tools", "1434126803.000033", "my favorite terminal setup for windows")] },
  { q: "toucan ali", kind: "prefix", prefixLast: true, expect: [clj("1557622773.077200", "I am looking for help on alias name")] },
  {
    q: "vscode-el",
    kind: "prefix",
    prefixLast: true,
    expect: [
      elm("1551776182.478000", "Krzysztof-Cieslak/vscode-elm/issues/275"),
      elm("1552841699.304600", "set up vscode-elm to work with a WSL installation"),
      elm("1552852821.312600", "configure vscode-elm to work with WSL"),
      elm("1554259170.309600", "Krzysztof-Cieslak/vscode-elm>"),
    ],
  },
];
