"""The portal's own tables: its members (with a role, not a sysadmin flag), who maintains
which project, the images it has released, and bulletins."""
from __future__ import annotations

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash


class PortalBase(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=PortalBase)


class Member(UserMixin, db.Model):
    """Someone who signs in to the portal; `role` decides what they may do."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(256))
    maintained: Mapped[list[Maintainer]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="Maintainer.project_name")

    @classmethod
    def new(cls, email: str, password: str, role: str = "viewer") -> Member:
        """A member with this password, shown by the part of the address before the @."""
        member = cls(email=email, display_name=email.split("@")[0].title(), role=role)
        member.set_password(password)
        return member

    def set_password(self, password: str) -> None:
        # Fast hashing: these are test accounts, not worth protecting offline.
        self.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Maintainer(db.Model):
    """A member who maintains a project, known by its name (Preheat's project name too)."""

    __tablename__ = "project_maintainers"
    __table_args__ = (UniqueConstraint("member_id", "project_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    project_name: Mapped[str] = mapped_column(String(255))
    member: Mapped[Member] = relationship(back_populates="maintained")


class Release(db.Model):
    """An image the portal has released from its own registry: a project's tag and digest."""

    __tablename__ = "released_images"
    __table_args__ = (UniqueConstraint("repository", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_name: Mapped[str] = mapped_column(String(255), index=True)
    repository: Mapped[str] = mapped_column(String(255))
    tag: Mapped[str] = mapped_column(String(128))
    digest: Mapped[str] = mapped_column(String(100))
    media_type: Mapped[str] = mapped_column(String(100))


class Bulletin(db.Model):
    """A notice on the portal's home page."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
