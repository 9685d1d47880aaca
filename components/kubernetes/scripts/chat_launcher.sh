# Open WebUI's launcher (`sh -c`): read the mounted secrets into the server's environment, then exec it.
# @SECRETS_DIR@, @CLIENT_SECRET_KEY@, @SESSION_SECRET_KEY@ and @SERVER_COMMAND@ (shell-quoted) are filled in by
# components/kubernetes/chat_pod.py; values never appear in the pod spec, only these file paths.
# WEBUI_ADMIN_PASSWORD is a fresh random value nobody ever sees: Open WebUI seeds its placeholder administrator
# with it on an empty database only (utils/auth.py create_admin_user), so that no citizen is ever the "first
# user" promoted to admin; password sign-in is off (ENABLE_PASSWORD_AUTH=False), so the account cannot log in.
set -eu
OAUTH_CLIENT_SECRET="$(cat @SECRETS_DIR@/@CLIENT_SECRET_KEY@)"
WEBUI_SECRET_KEY="$(cat @SECRETS_DIR@/@SESSION_SECRET_KEY@)"
WEBUI_ADMIN_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
export OAUTH_CLIENT_SECRET WEBUI_SECRET_KEY WEBUI_ADMIN_PASSWORD
exec @SERVER_COMMAND@
