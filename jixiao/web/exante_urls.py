from django.urls import path

app_name = "exante"
urlpatterns: list = []
