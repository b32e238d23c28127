"""State actor names masked out of the features, so a score follows rhetoric, not the country.

Every sovereign state (and a few widely reported territories), its demonym and its capital, the
hostile and the neutral alike: swapping "Russia" for "Norway" must leave the features unchanged,
so both sides of any swap have to be on the list. Lowercase, words as `model.text` tokenises them.
"""

from __future__ import annotations

# name | demonym(s) | capital(s); "/" separates alternatives.
_STATES = """
afghanistan|afghan/afghans|kabul
albania|albanian/albanians|tirana
algeria|algerian/algerians|algiers
andorra|andorran|andorra la vella
angola|angolan/angolans|luanda
antigua and barbuda|antiguan|st john's
argentina|argentine/argentinian/argentines/argentinians|buenos aires
armenia|armenian/armenians|yerevan
australia|australian/australians|canberra
austria|austrian/austrians|vienna
azerbaijan|azerbaijani/azerbaijanis/azeri/azeris|baku
bahamas|bahamian|nassau
bahrain|bahraini/bahrainis|manama
bangladesh|bangladeshi/bangladeshis|dhaka
barbados|barbadian|bridgetown
belarus|belarusian/belarusians/belarussian|minsk
belgium|belgian/belgians|brussels
belize|belizean|belmopan
benin|beninese|porto-novo/cotonou
bhutan|bhutanese|thimphu
bolivia|bolivian/bolivians|la paz/sucre
bosnia and herzegovina/bosnia/herzegovina|bosnian/bosnians|sarajevo
botswana|botswanan/batswana|gaborone
brazil|brazilian/brazilians|brasilia/brasília
brunei|bruneian|bandar seri begawan
bulgaria|bulgarian/bulgarians|sofia
burkina faso|burkinabe|ouagadougou
burundi|burundian/burundians|gitega/bujumbura
cambodia|cambodian/cambodians|phnom penh
cameroon|cameroonian/cameroonians|yaounde/yaoundé
canada|canadian/canadians|ottawa
cape verde/cabo verde|cape verdean|praia
central african republic|central african|bangui
chad|chadian/chadians|n'djamena
chile|chilean/chileans|santiago
china/prc/people's republic of china|chinese|beijing/peking
colombia|colombian/colombians|bogota/bogotá
comoros|comorian|moroni
congo/democratic republic of the congo/republic of the congo/drc|congolese|kinshasa/brazzaville
costa rica|costa rican/costa ricans|san jose/san josé
cote d'ivoire/côte d'ivoire/ivory coast|ivorian/ivorians|yamoussoukro/abidjan
croatia|croatian/croatians/croat/croats|zagreb
cuba|cuban/cubans|havana
cyprus|cypriot/cypriots|nicosia
czech republic/czechia|czech/czechs|prague
denmark|danish/dane/danes|copenhagen
djibouti|djiboutian|djibouti
dominica|dominican|roseau
dominican republic|dominican/dominicans|santo domingo
ecuador|ecuadorian/ecuadorians|quito
egypt|egyptian/egyptians|cairo
el salvador|salvadoran/salvadorans|san salvador
equatorial guinea|equatoguinean|malabo
eritrea|eritrean/eritreans|asmara
estonia|estonian/estonians|tallinn
eswatini/swaziland|swazi|mbabane
ethiopia|ethiopian/ethiopians|addis ababa
fiji|fijian/fijians|suva
finland|finnish/finn/finns|helsinki
france|french|paris
gabon|gabonese|libreville
gambia|gambian/gambians|banjul
georgia|georgian/georgians|tbilisi
germany|german/germans|berlin
ghana|ghanaian/ghanaians|accra
greece|greek/greeks|athens
grenada|grenadian|st george's
guatemala|guatemalan/guatemalans|guatemala city
guinea|guinean/guineans|conakry
guinea-bissau|bissau-guinean|bissau
guyana|guyanese|georgetown
haiti|haitian/haitians|port-au-prince
honduras|honduran/hondurans|tegucigalpa
hungary|hungarian/hungarians|budapest
iceland|icelandic/icelander/icelanders|reykjavik
india|indian/indians|new delhi/delhi
indonesia|indonesian/indonesians|jakarta
iran|iranian/iranians/persian|tehran/teheran
iraq|iraqi/iraqis|baghdad
ireland|irish|dublin
israel|israeli/israelis|jerusalem/tel aviv
italy|italian/italians|rome
jamaica|jamaican/jamaicans|kingston
japan|japanese|tokyo
jordan|jordanian/jordanians|amman
kazakhstan|kazakh/kazakhs/kazakhstani|astana/almaty
kenya|kenyan/kenyans|nairobi
kiribati|i-kiribati|tarawa
north korea/dprk/democratic people's republic of korea|north korean/north koreans|pyongyang
south korea/republic of korea/rok|south korean/south koreans|seoul
korea|korean/koreans|
kosovo|kosovar/kosovars/kosovan|pristina
kuwait|kuwaiti/kuwaitis|kuwait city
kyrgyzstan|kyrgyz|bishkek
laos|lao/laotian/laotians|vientiane
latvia|latvian/latvians|riga
lebanon|lebanese|beirut
lesotho|basotho|maseru
liberia|liberian/liberians|monrovia
libya|libyan/libyans|tripoli
liechtenstein|liechtensteiner|vaduz
lithuania|lithuanian/lithuanians|vilnius
luxembourg|luxembourger/luxembourgish|luxembourg
madagascar|malagasy|antananarivo
malawi|malawian/malawians|lilongwe
malaysia|malaysian/malaysians|kuala lumpur
maldives|maldivian|
mali|malian/malians|bamako
malta|maltese|valletta
marshall islands|marshallese|majuro
mauritania|mauritanian/mauritanians|nouakchott
mauritius|mauritian|port louis
mexico|mexican/mexicans|mexico city
micronesia|micronesian|palikir
moldova|moldovan/moldovans|chisinau/chişinău
monaco|monegasque|monaco
mongolia|mongolian/mongolians|ulaanbaatar/ulan bator
montenegro|montenegrin/montenegrins|podgorica
morocco|moroccan/moroccans|rabat
mozambique|mozambican/mozambicans|maputo
myanmar/burma|burmese/myanmarese|naypyidaw/naypyitaw/yangon/rangoon
namibia|namibian/namibians|windhoek
nauru|nauruan|yaren
nepal|nepali/nepalese|kathmandu
netherlands/holland|dutch|amsterdam/the hague
new zealand|new zealander/new zealanders|wellington
nicaragua|nicaraguan/nicaraguans|managua
niger|nigerien/nigeriens|niamey
nigeria|nigerian/nigerians|abuja/lagos
north macedonia/macedonia|macedonian/macedonians|skopje
norway|norwegian/norwegians|oslo
oman|omani/omanis|muscat
pakistan|pakistani/pakistanis|islamabad
palau|palauan|ngerulmud
palestine/state of palestine/gaza/west bank|palestinian/palestinians|ramallah
panama|panamanian/panamanians|panama city
papua new guinea|papua new guinean|port moresby
paraguay|paraguayan/paraguayans|asuncion/asunción
peru|peruvian/peruvians|lima
philippines|filipino/filipinos/philippine|manila
poland|polish/pole/poles|warsaw
portugal|portuguese|lisbon
qatar|qatari/qataris|doha
romania|romanian/romanians|bucharest
russia/russian federation|russian/russians|moscow/kremlin
rwanda|rwandan/rwandans|kigali
saint kitts and nevis|kittitian|basseterre
saint lucia|saint lucian|castries
saint vincent and the grenadines|vincentian|kingstown
samoa|samoan|apia
san marino|sammarinese|san marino
sao tome and principe/são tomé and príncipe|santomean|sao tome/são tomé
saudi arabia|saudi/saudis|riyadh
senegal|senegalese|dakar
serbia|serbian/serbians/serb/serbs|belgrade
seychelles|seychellois|
sierra leone|sierra leonean/sierra leoneans|freetown
singapore|singaporean/singaporeans|singapore
slovakia|slovak/slovaks/slovakian|bratislava
slovenia|slovenian/slovenians/slovene/slovenes|ljubljana
solomon islands|solomon islander|honiara
somalia|somali/somalis|mogadishu
south africa|south african/south africans|pretoria/cape town/johannesburg
south sudan|south sudanese|juba
spain|spanish/spaniard/spaniards|madrid
sri lanka|sri lankan/sri lankans|colombo
sudan|sudanese|khartoum
suriname|surinamese|paramaribo
sweden|swedish/swede/swedes|stockholm
switzerland|swiss|bern/berne/geneva
syria|syrian/syrians|damascus
taiwan|taiwanese|taipei
tajikistan|tajik/tajiks|dushanbe
tanzania|tanzanian/tanzanians|dodoma/dar es salaam
thailand|thai/thais|bangkok
timor-leste/east timor|timorese|dili
togo|togolese|lome/lomé
tonga|tongan|nuku'alofa
trinidad and tobago|trinidadian|port of spain
tunisia|tunisian/tunisians|tunis
turkey/türkiye|turkish/turk/turks|ankara
turkmenistan|turkmen|ashgabat
tuvalu|tuvaluan|funafuti
uganda|ugandan/ugandans|kampala
ukraine|ukrainian/ukrainians|kyiv/kiev
united arab emirates/uae|emirati/emiratis|abu dhabi/dubai
united kingdom/uk/u k/britain/great britain|british/briton/britons|london/downing street/whitehall
england/scotland/wales|english/scottish/welsh|
united states/united states of america/us/usa/u s/u s a/america|american/americans|washington
|white house/pentagon|
uruguay|uruguayan/uruguayans|montevideo
uzbekistan|uzbek/uzbeks|tashkent
vanuatu|ni-vanuatu|port vila
venezuela|venezuelan/venezuelans|caracas
vietnam/viet nam|vietnamese|hanoi
yemen|yemeni/yemenis|sanaa/sana'a
zambia|zambian/zambians|lusaka
zimbabwe|zimbabwean/zimbabweans|harare
"""


def _rows() -> list[list[list[str]]]:
    """Each line of `_STATES`: its fields, each as the list of its alternatives."""
    return [
        [[n.strip() for n in field.split("/") if n.strip()] for field in line.split("|")]
        for line in _STATES.strip().splitlines()
    ]


def _names() -> frozenset[str]:
    """Every alternative of every field, lowercased."""
    return frozenset(name for row in _rows() for field in row for name in field)


def _place_states() -> dict[str, frozenset[str]]:
    """Each alternative of the names and capitals fields, with the names of its state."""
    found: dict[str, set[str]] = {}
    for row in _rows():
        for place in [*row[0], *(row[2] if len(row) > 2 else ())]:
            found.setdefault(place, set()).update(row[0])
    return {place: frozenset(states) for place, states in found.items()}


ACTOR_NAMES: frozenset[str] = _names()
# Each name and capital, with the names of its state ("jerusalem": {"israel"}; "gaza":
# {"palestine", "state of palestine", "gaza", "west bank"}).
PLACE_STATES: dict[str, frozenset[str]] = _place_states()
# Names that are also ordinary words ("us", "car"...) count only when written in capitals.
CAPITALS_ONLY: frozenset[str] = frozenset(
    {"us", "uk", "usa", "u s", "u s a", "u k", "uae", "drc", "prc", "dprk", "rok"}
)
