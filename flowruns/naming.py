"""Random two-word run names (`"gainful-dinosaur"`), as Prefect gives unnamed runs."""

from __future__ import annotations

import secrets

ADJECTIVES = (
    "agile amber ancient arctic astute august azure bold brave bright brisk calm candid cheerful "
    "clever cobalt cosmic crimson curious daring dazzling deft devout dynamic eager earnest "
    "electric elegant emerald epic fearless fervent festive fiery flawless fluffy fortunate "
    "friendly gainful gallant gentle gifted glorious golden graceful grand hardy hearty heroic "
    "honest humble icy idealistic imperial indigo ingenious jade jolly jovial keen kind lavender "
    "lively lucky luminous magenta majestic mellow merry mighty modest nimble noble olive "
    "opalescent optimal orange outstanding patient peaceful perfect placid polite practical "
    "precious proud quick quiet radiant rapid rational resilient robust rosy ruby rustic sage "
    "sapphire scarlet serene sharp shiny silver sincere smart solid sparkling spirited steady "
    "stellar sturdy sublime sunny swift tactful teal tidy tireless tough tranquil true turquoise "
    "upbeat valiant vermilion vibrant vigilant violet vivid warm wise witty wondrous zealous"
).split()

NOUNS = (
    "albatross alligator alpaca ant antelope armadillo badger barracuda bat bear beaver bee "
    "bison bobcat buffalo butterfly camel capybara caracal cardinal caribou cat chameleon cheetah "
    "chipmunk cobra condor cormorant coyote crab crane cricket crocodile crow curassow deer "
    "dingo dinosaur dodo dolphin donkey dove dragon dragonfly duck eagle eel elephant elk emu "
    "falcon ferret finch flamingo fox frog gazelle gecko gerbil gibbon giraffe gnu goat "
    "goldfish goose gopher gorilla grasshopper grouse gull hamster hare hawk hedgehog heron "
    "hippo hornet horse hound hummingbird hyena ibex ibis iguana impala jackal jaguar jellyfish "
    "kangaroo kingfisher kiwi koala kudu labradoodle ladybug lemming lemur leopard lion llama "
    "lobster lynx macaw magpie mammoth manatee mandrill marmot meerkat mink mole mongoose "
    "moose moth mouse mule narwhal newt nightingale ocelot octopus okapi oriole oryx ostrich "
    "otter owl ox panda panther parrot partridge peacock pelican penguin pheasant pig pigeon "
    "platypus porcupine porpoise puffin puma python quail quetzal rabbit raccoon ram raven "
    "reindeer rhino robin salamander salmon sandpiper seahorse seal shark sheep shrew skink "
    "skunk sloth slug snail snake sparrow spider squid squirrel starfish stork swan tapir "
    "tarsier termite tiger toad tortoise toucan trout turkey turtle viper vulture wallaby "
    "walrus wasp weasel whale wildebeest wolf wolverine wombat woodpecker yak zebra"
).split()


def random_run_name() -> str:
    return f"{secrets.choice(ADJECTIVES)}-{secrets.choice(NOUNS)}"
