# Open WebUI's launcher (`sh -c`): read the mounted secrets into the server's environment, then exec it.
# @SECRETS_DIR@, @CLIENT_SECRET_KEY@, @SESSION_SECRET_KEY@ and @SERVER_COMMAND@ (shell-quoted) are filled in by
# components/kubernetes/chat_pod.py; values never appear in the pod spec, only these file paths.
set -eu
OAUTH_CLIENT_SECRET="$(cat @SECRETS_DIR@/@CLIENT_SECRET_KEY@)"
WEBUI_SECRET_KEY="$(cat @SECRETS_DIR@/@SESSION_SECRET_KEY@)"
export OAUTH_CLIENT_SECRET WEBUI_SECRET_KEY
exec @SERVER_COMMAND@
