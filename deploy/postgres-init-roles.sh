#!/bin/sh
# The database and its two roles, made once by the postgres image when its volume is new
# (/docker-entrypoint-initdb.d, as the superuser). spine_owner owns the database and so every
# table the migrations make; spine_app, the app's role, may only log in until the migrate service
# grants it the app's privileges (python -m config.dbroles grant). Neither is a superuser.
# Elsewhere, run the same statements as your server's administrator (docs/deployment.md).
set -eu
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$OWNER_DB_PASSWORD" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE spine_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'owner_password';
CREATE ROLE spine_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_password';
CREATE DATABASE spine_mood OWNER spine_owner;
SQL
