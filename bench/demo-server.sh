# Sourced by the bench scripts: the release binary with the demo schools on
# a free port and a temporary data folder (bench/instances.sh, on SQLite);
# sets $url, $server and $data, and stops the server (and removes the
# folder) when the script exits.
backend=sqlite
source "$(dirname "${BASH_SOURCE[0]}")/instances.sh"
seed_demo
start_instance 1
url=$url1
server=$pid1
