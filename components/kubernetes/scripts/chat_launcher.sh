# Open WebUI's launcher (`sh -c`): read the mounted secrets into the server's environment, then exec it.
# @SECRETS_DIR@, @CLIENT_SECRET_KEY@, @SESSION_SECRET_KEY@, @MODEL_API_KEY_KEY@, @BASE_URL_COUNT@ and
# @SERVER_COMMAND@ (shell-quoted) are filled in by components/kubernetes/chat_pod.py; values never appear in the
# pod spec, only these file paths.
# OPENAI_API_KEYS holds the model servers' key once per entry of OPENAI_API_BASE_URLS: Open WebUI 0.12.4 pairs
# the two ';'-separated lists by index and sends no Authorization header where a key is missing
# (routers/openai.py normalize_openai_api_keys pads with '').
# WEBUI_ADMIN_PASSWORD is a fresh random value nobody ever sees: Open WebUI seeds its placeholder administrator
# with it on an empty database only (utils/auth.py create_admin_user), so that no citizen is ever the "first
# user" promoted to admin; password sign-in is off (ENABLE_PASSWORD_AUTH=False), so the account cannot log in.
set -eu
OAUTH_CLIENT_SECRET="$(cat @SECRETS_DIR@/@CLIENT_SECRET_KEY@)"
WEBUI_SECRET_KEY="$(cat @SECRETS_DIR@/@SESSION_SECRET_KEY@)"
WEBUI_ADMIN_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
MODEL_API_KEY="$(cat @SECRETS_DIR@/@MODEL_API_KEY_KEY@)"
case "$MODEL_API_KEY" in
  "" | *";"* | *" "*)
    echo "chat launcher: the model API key is empty or holds ';' or a space (OPENAI_API_KEYS splits on ';')" >&2
    exit 1
    ;;
esac
OPENAI_API_KEYS="$MODEL_API_KEY"
i=1
while [ "$i" -lt @BASE_URL_COUNT@ ]; do
  OPENAI_API_KEYS="$OPENAI_API_KEYS;$MODEL_API_KEY"
  i=$((i + 1))
done
unset MODEL_API_KEY
export OAUTH_CLIENT_SECRET WEBUI_SECRET_KEY WEBUI_ADMIN_PASSWORD OPENAI_API_KEYS
exec @SERVER_COMMAND@
