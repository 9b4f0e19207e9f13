from sqlalchemy import func, select

from caseflow.models import ApiToken, Program, Tag, User


def test_users_create_and_token(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ops@Example.org",
            "--role",
            "admin",
            "--role",
            "director",
            "--password",
            "a long passphrase ok",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ops@example.org"))
    assert user.roles == {"admin", "director"}

    result = runner.invoke(args=["users", "token", "--email", "ops@example.org", "--name", "sync"])
    assert result.exit_code == 0
    secret = result.stdout.strip()
    assert secret.startswith("cf_") and len(secret) > 30
    assert db.session.scalar(select(ApiToken.name)) == "sync"
    assert app.test_client().get("/api/v1/tags", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_users_create_rejects_short_password(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "a@example.org", "--role", "admin", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "password" in result.output


def test_seed_demo_loads_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--concerns", "200"])
    assert result.exit_code == 0, result.output
    assert "organizer@demo.caseflow.test" in result.output
    assert db.session.scalar(select(func.count()).select_from(Program)) >= 5
    assert db.session.scalar(select(func.count()).select_from(Tag)) >= 30
    roles = set().union(*(u.roles for u in db.session.scalars(select(User))))
    assert roles == {"caseworker", "organizer", "director", "admin"}
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 1
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0


def test_seed_demo_refuses_in_production(app, db):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code == 1 and "refuses to run in production" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
